import GRDB

extension Schema {
    /// Tables of read positions, conversation summaries and files.
    static func registerHistoryMigrations(_ migrator: inout DatabaseMigrator) {}
}
