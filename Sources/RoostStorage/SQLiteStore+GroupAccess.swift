import GRDB

/// The only places history, read, recall, conversations and files ask about
/// groups. Until the group tables exist every answer is "no group": group
/// conversations are then `forbidden` everywhere, as for a non-member.
///
/// Wiring groups = reimplementing these four against the group tables. With
/// the "v2-groups" schema (groups, group_members(group_id, user_id, joined
/// Snowflake)) they are single index reads:
///   member:  SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?
///   members: SELECT user_id FROM group_members WHERE group_id = ?
///   owner:   SELECT owner_id FROM groups WHERE id = ?
///   mine:    SELECT group_id, joined FROM group_members WHERE user_id = ?
///            (since = max(groups.created_at, (joined >> 22) + SnowflakeGenerator.epochMillis))
extension SQLiteStore {
    /// Whether `user` is a current member of `group`.
    static func isGroupMember(db: Database, group: Int64, user: Int64) throws -> Bool {
        false
    }

    /// Current members of `group` (empty if it does not exist).
    static func groupMembers(db: Database, group: Int64) throws -> [Int64] {
        []
    }

    /// The owner of `group`, nil if it does not exist.
    static func groupOwner(db: Database, group: Int64) throws -> Int64? {
        nil
    }

    /// Groups `user` is in, with the time the group appears in the conversation
    /// list when it has no message yet (creation or join time).
    static func groupsOf(db: Database, user: Int64) throws -> [(group: Int64, since: Int64)] {
        []
    }
}
