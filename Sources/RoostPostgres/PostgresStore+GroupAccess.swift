import PostgresNIO
import RoostProtocol
import RoostStorage

/// The places history, read, recall, conversations and files ask about
/// groups, and the group row locks writes take. A membership change locks the
/// group row (`FOR UPDATE`); a message send takes it `FOR SHARE`, so sends to
/// one group run side by side but never interleave with a change of its
/// members: every member sees a message on the same side of a join or leave.
extension PostgresStore {
    /// The one answer for "no such group" and "not a member": nothing leaks.
    static var notMember: RoostError { .forbidden("not a member of this group") }

    static func isGroupMember(db: Database, group: Int64, user: Int64) async throws -> Bool {
        try await db.exists("SELECT 1 FROM group_members WHERE group_id = \(group) AND user_id = \(user)")
    }

    /// Current members of `group` in join order (empty if it does not exist).
    static func groupMembers(db: Database, group: Int64) async throws -> [Int64] {
        try await db.values("SELECT user_id FROM group_members WHERE group_id = \(group) ORDER BY joined", as: Int64.self)
    }

    static func groupOwner(db: Database, group: Int64) async throws -> Int64? {
        try await db.value("SELECT owner_id FROM groups WHERE id = \(group)", as: Int64.self)
    }

    /// The group with its members; `lock` takes its row for a membership change.
    static func loadGroup(db: Database, id: Int64, lock: Bool = false) async throws -> GroupInfo? {
        let suffix = lock ? " FOR UPDATE" : ""
        guard let row = try await db.rows("""
            SELECT name, owner_id, open, version, created_at FROM groups WHERE id = \(id)\(unescaped: suffix)
            """).first else { return nil }
        let (name, owner, open, version, createdAt) = try row.decode((String, Int64, Bool, Int64, Int64).self)
        return GroupInfo(id: id, name: name, owner: owner, open: open, createdAt: createdAt,
                         members: try await groupMembers(db: db, group: id), version: version)
    }

    /// Groups `user` is in, with the time the group appears in the conversation
    /// list when it has no message yet (creation or join time).
    static func groupsOf(db: Database, user: Int64) async throws -> [(group: Int64, since: Int64)] {
        try await db.rows("""
            SELECT m.group_id, m.joined, g.created_at FROM group_members m JOIN groups g ON g.id = m.group_id
            WHERE m.user_id = \(user)
            """).map { row in
            let (group, joined, created) = try row.decode((Int64, Int64, Int64).self)
            return (group: group, since: max(created, (joined >> 22) + SnowflakeGenerator.epochMillis))
        }
    }

    static func insertMember(db: Database, group: Int64, user: Int64, joined: Int64) async throws {
        try await db.run("INSERT INTO group_members (group_id, user_id, joined) VALUES (\(group), \(user), \(joined))")
    }

    static func bumpVersion(db: Database, _ group: Int64) async throws -> Int64 {
        try await db.value("UPDATE groups SET version = version + 1 WHERE id = \(group) RETURNING version",
                           as: Int64.self) ?? 0
    }

    /// Appends one `group_event` (or other payload) item to each of `users`.
    static func emit<P: Encodable>(_ payload: P, type: String = "group_event", to users: [Int64],
                                   inbox: inout InboxAppend) -> [Delivery] {
        let json = JSONCodec.encodeString(payload)
        return users.map { user in
            let seq = inbox.append(user: user, type: type, messageID: nil, payload: json)
            return Delivery(user: user, item: InboxItem(seq: seq, timestamp: inbox.now, body: .other(type: type, json: json)))
        }
    }
}
