import GRDB
import RoostProtocol

/// Group membership changes. Each runs in one writer operation: the change,
/// the version bump and every `group_event` item commit together.
extension SQLiteStore {
    public func createGroup(owner: Int64, name: String, members: [Int64], open: Bool, cap: Int) async throws -> GroupChange {
        try await writer.write { [ids] db, batch in
            var list: [Int64] = [owner]
            var seen: Set<Int64> = [owner]
            for user in members where seen.insert(user).inserted { list.append(user) }
            for user in list.dropFirst() where try !Self.userExists(db, user) {
                throw RoostError.notFound("no such user: \(user)")
            }
            guard list.count <= cap else { throw RoostError.conflict("a group has at most \(cap) members") }
            let now = nowMillis()
            let id = ids.next(now: now)
            try db.cachedStatement(sql: """
                INSERT INTO groups (id, name, owner_id, open, version, created_at) VALUES (?, ?, ?, ?, 1, ?)
                """).execute(arguments: [id, name, owner, open, now])
            for user in list { try Self.insertMember(db, group: id, user: user, joined: ids.next(now: now)) }
            let info = GroupInfo(id: id, name: name, owner: owner, open: open, createdAt: now, members: list, version: 1)
            let event = GroupEventPayload(groupID: String(id), event: "created", userID: String(owner),
                                          by: String(owner), name: name)
            let deliveries = try Self.emit(event, to: list, db: db, batch: batch, now: now)
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func addMembers(group: Int64, users: [Int64], actor: Int64, cap: Int) async throws -> GroupChange {
        try await writer.write { [ids] db, batch in
            guard var info = try Self.loadGroup(db, id: group) else { throw Self.notMember }
            guard MembershipRules.mayAdd(users, actor: actor, to: info) else { throw Self.notMember }
            var current = Set(info.members)
            var added: [Int64] = []
            for user in users where !current.contains(user) {
                if user != actor, try !Self.userExists(db, user) { throw RoostError.notFound("no such user: \(user)") }
                current.insert(user)
                added.append(user)
            }
            guard info.members.count + added.count <= cap else {
                throw RoostError.conflict("a group has at most \(cap) members")
            }
            let now = nowMillis()
            var deliveries: [Delivery] = []
            for user in added {
                try Self.insertMember(db, group: group, user: user, joined: ids.next(now: now))
                info.members.append(user)
                let event = GroupEventPayload(groupID: String(group), event: "joined", userID: String(user),
                                              by: String(actor))
                deliveries += try Self.emit(event, to: info.members, db: db, batch: batch, now: now)
            }
            if !added.isEmpty { info.version = try Self.bumpVersion(db, group) }
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func removeMember(group: Int64, user: Int64, actor: Int64) async throws -> GroupChange {
        try await writer.write { db, batch in
            guard var info = try Self.loadGroup(db, id: group), info.members.contains(actor) else { throw Self.notMember }
            if user != actor {
                guard info.owner == actor else { throw RoostError.forbidden("only the owner can remove members") }
                guard info.members.contains(user) else { throw RoostError.notFound("not a member of this group") }
            }
            let recipients = info.members
            try db.cachedStatement(sql: "DELETE FROM group_members WHERE group_id = ? AND user_id = ?")
                .execute(arguments: [group, user])
            info.members.removeAll { $0 == user }
            if info.members.isEmpty {
                // The last member left: the group goes; its messages stay for former members' inboxes.
                try db.cachedStatement(sql: "DELETE FROM groups WHERE id = ?").execute(arguments: [group])
                info.deleted = true
            } else {
                if info.owner == user {
                    info.owner = info.members[0]
                    try db.cachedStatement(sql: "UPDATE groups SET owner_id = ? WHERE id = ?")
                        .execute(arguments: [info.owner, group])
                }
                info.version = try Self.bumpVersion(db, group)
            }
            let event = GroupEventPayload(groupID: String(group), event: user == actor ? "left" : "removed",
                                          userID: String(user), by: String(actor))
            let deliveries = try Self.emit(event, to: recipients, db: db, batch: batch, now: nowMillis())
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func updateGroup(group: Int64, actor: Int64, name: String?, open: Bool?) async throws -> GroupChange {
        try await writer.write { db, batch in
            guard var info = try Self.loadGroup(db, id: group), info.members.contains(actor) else { throw Self.notMember }
            guard info.owner == actor else { throw RoostError.forbidden("only the owner can change the group") }
            var changed = false
            var deliveries: [Delivery] = []
            if let open, open != info.open {
                try db.cachedStatement(sql: "UPDATE groups SET open = ? WHERE id = ?").execute(arguments: [open, group])
                info.open = open
                changed = true
            }
            if let name, name != info.name {
                try db.cachedStatement(sql: "UPDATE groups SET name = ? WHERE id = ?").execute(arguments: [name, group])
                info.name = name
                changed = true
                let event = GroupEventPayload(groupID: String(group), event: "renamed", userID: String(actor),
                                              by: String(actor), name: name)
                deliveries = try Self.emit(event, to: info.members, db: db, batch: batch, now: nowMillis())
            }
            if changed { info.version = try Self.bumpVersion(db, group) }
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func group(id: Int64) async throws -> GroupInfo? {
        try await pool.read { db in try Self.loadGroup(db, id: id) }
    }

    public func groups(of user: Int64) async throws -> [GroupInfo] {
        try await pool.read { db in
            let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id
                """), arguments: [user])
            return try ids.compactMap { try Self.loadGroup(db, id: $0) }
        }
    }

    // MARK: Helpers shared by group writes

    /// The one answer for "no such group" and "not a member": nothing leaks.
    static var notMember: RoostError { .forbidden("not a member of this group") }

    static func loadGroup(_ db: Database, id: Int64) throws -> GroupInfo? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT name, owner_id, open, version, created_at FROM groups WHERE id = ?
            """), arguments: [id]) else { return nil }
        let members = try loadMembers(db, group: id)
        return GroupInfo(id: id, name: row["name"], owner: row["owner_id"], open: row["open"],
                         createdAt: row["created_at"], members: members, version: row["version"])
    }

    static func loadMembers(_ db: Database, group: Int64) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined
            """), arguments: [group])
    }

    static func userExists(_ db: Database, _ user: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE id = ?"), arguments: [user]) == true
    }

    static func insertMember(_ db: Database, group: Int64, user: Int64, joined: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO group_members (group_id, user_id, joined) VALUES (?, ?, ?)")
            .execute(arguments: [group, user, joined])
    }

    static func bumpVersion(_ db: Database, _ group: Int64) throws -> Int64 {
        try db.cachedStatement(sql: "UPDATE groups SET version = version + 1 WHERE id = ?").execute(arguments: [group])
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM groups WHERE id = ?"),
                                  arguments: [group]) ?? 0
    }

    /// Appends one `group_event` (or other payload) item to each of `users`.
    static func emit<P: Encodable>(_ payload: P, type: String = "group_event", to users: [Int64], db: Database,
                                   batch: WriteBatch, now: Int64) throws -> [Delivery] {
        let json = JSONCodec.encodeString(payload)
        return try users.map { user in
            let seq = try appendItem(db: db, batch: batch, user: user, type: type, messageID: nil, payload: json, now: now)
            return Delivery(user: user, item: InboxItem(seq: seq, timestamp: now, body: .other(type: type, json: json)))
        }
    }
}
