import GRDB

extension Schema {
    /// Tables of groups, memberships and friendships.
    static func registerGroupMigrations(_ migrator: inout DatabaseMigrator) {}
}
