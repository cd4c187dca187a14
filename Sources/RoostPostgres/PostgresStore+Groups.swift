import PostgresNIO
import RoostProtocol
import RoostStorage

/// Group membership changes. Each is one transaction: the change, the version
/// bump and every `group_event` item commit together, under the group row's lock.
extension PostgresStore {
    public func createGroup(owner: Int64, name: String, members: [Int64], open: Bool, cap: Int) async throws -> GroupChange {
        try await write { [ids] db in
            var list: [Int64] = [owner]
            var seen: Set<Int64> = [owner]
            for user in members where seen.insert(user).inserted { list.append(user) }
            for user in list.dropFirst() where try await !Self.userExists(db: db, user) {
                throw RoostError.notFound("no such user: \(user)")
            }
            guard list.count <= cap else { throw RoostError.conflict("a group has at most \(cap) members") }
            var inbox = try await InboxAppend.lock(list, db: db)
            let now = inbox.now
            let id = ids.next(now: now)
            try await db.run("""
                INSERT INTO groups (id, name, owner_id, open, version, created_at)
                VALUES (\(id), \(name), \(owner), \(open), 1, \(now))
                """)
            let joined = list.map { _ in ids.next(now: now) }
            try await db.run("""
                INSERT INTO group_members (group_id, user_id, joined)
                SELECT \(id), u, j FROM unnest(\(list)::bigint[], \(joined)::bigint[]) AS m(u, j)
                """)
            let info = GroupInfo(id: id, name: name, owner: owner, open: open, createdAt: now, members: list, version: 1)
            let event = GroupEventPayload(groupID: String(id), event: "created", userID: String(owner),
                                          by: String(owner), name: name)
            let deliveries = Self.emit(event, to: list, inbox: &inbox)
            try await inbox.flush(db: db)
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func addMembers(group: Int64, users: [Int64], actor: Int64, cap: Int) async throws -> GroupChange {
        try await write { [ids] db in
            guard var info = try await Self.loadGroup(db: db, id: group, lock: true) else { throw Self.notMember }
            guard MembershipRules.mayAdd(users, actor: actor, to: info) else { throw Self.notMember }
            var current = Set(info.members)
            var added: [Int64] = []
            for user in users where !current.contains(user) {
                if user != actor, try await !Self.userExists(db: db, user) {
                    throw RoostError.notFound("no such user: \(user)")
                }
                current.insert(user)
                added.append(user)
            }
            guard info.members.count + added.count <= cap else {
                throw RoostError.conflict("a group has at most \(cap) members")
            }
            guard !added.isEmpty else { return GroupChange(group: info, deliveries: []) }
            var inbox = try await InboxAppend.lock(info.members + added, db: db)
            var deliveries: [Delivery] = []
            for user in added {
                try await Self.insertMember(db: db, group: group, user: user, joined: ids.next(now: inbox.now))
                info.members.append(user)
                let event = GroupEventPayload(groupID: String(group), event: "joined", userID: String(user),
                                              by: String(actor))
                deliveries += Self.emit(event, to: info.members, inbox: &inbox)
            }
            info.version = try await Self.bumpVersion(db: db, group)
            try await inbox.flush(db: db)
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func removeMember(group: Int64, user: Int64, actor: Int64) async throws -> GroupChange {
        try await write { db in
            guard var info = try await Self.loadGroup(db: db, id: group, lock: true), info.members.contains(actor) else {
                throw Self.notMember
            }
            if user != actor {
                guard info.owner == actor else { throw RoostError.forbidden("only the owner can remove members") }
                guard info.members.contains(user) else { throw RoostError.notFound("not a member of this group") }
            }
            let recipients = info.members
            var inbox = try await InboxAppend.lock(recipients, db: db)
            try await db.run("DELETE FROM group_members WHERE group_id = \(group) AND user_id = \(user)")
            info.members.removeAll { $0 == user }
            if info.members.isEmpty {
                // The last member left: the group goes; its messages stay for former members' inboxes.
                try await db.run("DELETE FROM groups WHERE id = \(group)")
                info.deleted = true
            } else {
                if info.owner == user {
                    info.owner = info.members[0]
                    try await db.run("UPDATE groups SET owner_id = \(info.owner) WHERE id = \(group)")
                }
                info.version = try await Self.bumpVersion(db: db, group)
            }
            let event = GroupEventPayload(groupID: String(group), event: user == actor ? "left" : "removed",
                                          userID: String(user), by: String(actor))
            let deliveries = Self.emit(event, to: recipients, inbox: &inbox)
            try await inbox.flush(db: db)
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func updateGroup(group: Int64, actor: Int64, name: String?, open: Bool?) async throws -> GroupChange {
        try await write { db in
            guard var info = try await Self.loadGroup(db: db, id: group, lock: true), info.members.contains(actor) else {
                throw Self.notMember
            }
            guard info.owner == actor else { throw RoostError.forbidden("only the owner can change the group") }
            var changed = false
            var deliveries: [Delivery] = []
            if let open, open != info.open {
                try await db.run("UPDATE groups SET open = \(open) WHERE id = \(group)")
                info.open = open
                changed = true
            }
            if let name, name != info.name {
                try await db.run("UPDATE groups SET name = \(name) WHERE id = \(group)")
                info.name = name
                changed = true
                var inbox = try await InboxAppend.lock(info.members, db: db)
                let event = GroupEventPayload(groupID: String(group), event: "renamed", userID: String(actor),
                                              by: String(actor), name: name)
                deliveries = Self.emit(event, to: info.members, inbox: &inbox)
                try await inbox.flush(db: db)
            }
            if changed { info.version = try await Self.bumpVersion(db: db, group) }
            return GroupChange(group: info, deliveries: deliveries)
        }
    }

    public func group(id: Int64) async throws -> GroupInfo? {
        try await read { db in try await Self.loadGroup(db: db, id: id) }
    }

    public func groups(of user: Int64) async throws -> [GroupInfo] {
        try await read { db in
            var groups: [GroupInfo] = []
            for id in try await db.values("""
                SELECT group_id FROM group_members WHERE user_id = \(user) ORDER BY group_id
                """, as: Int64.self) {
                if let group = try await Self.loadGroup(db: db, id: id) { groups.append(group) }
            }
            return groups
        }
    }
}
