import GRDB

extension Schema {
    /// Changes that make the write of a message cheaper (issue 9, `roost bench store`).
    static func registerWritePathMigrations(_ migrator: inout DatabaseMigrator) {
        // Every 1:1 message moved both sides' entries in this index (a delete
        // and an insert at a random place each, two more dirty pages per
        // message); the conversation list sorts one user's few rows instead.
        migrator.registerMigration("v11-drop-conversation-recency-index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS direct_conversations_by_recent")
        }
    }
}
