import GRDB

/// The only places history, read, recall, conversations and files ask about
/// groups: single index reads on the "v2-groups" tables, inside the caller's
/// transaction or read, so they see the membership the write commits against.
extension SQLiteStore {
    /// Whether `user` is a current member of `group`.
    static func isGroupMember(db: Database, group: Int64, user: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?"),
                          arguments: [group, user]) == true
    }

    /// Current members of `group` (empty if it does not exist).
    static func groupMembers(db: Database, group: Int64) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined"),
                           arguments: [group])
    }

    /// The owner of `group`, nil if it does not exist.
    static func groupOwner(db: Database, group: Int64) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT owner_id FROM groups WHERE id = ?"), arguments: [group])
    }

    /// Groups `user` is in, with the time the group appears in the conversation
    /// list when it has no message yet (creation or join time).
    static func groupsOf(db: Database, user: Int64) throws -> [(group: Int64, since: Int64)] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT m.group_id, m.joined, g.created_at FROM group_members m JOIN groups g ON g.id = m.group_id
            WHERE m.user_id = ?
            """), arguments: [user])
        return rows.map { row in
            let joined: Int64 = row["joined"]
            let created: Int64 = row["created_at"]
            return (group: row["group_id"], since: max(created, (joined >> 22) + SnowflakeGenerator.epochMillis))
        }
    }
}
