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
        // A new message's text reaches the full-text index after its commit,
        // in batches (DeferredSearchIndex); everything up to here is indexed.
        migrator.registerMigration("v12-deferred-search-index") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO meta (key, value)
                VALUES ('search_indexed_up_to', (SELECT COALESCE(MAX(id), 0) FROM messages))
                """)
        }
    }
}
