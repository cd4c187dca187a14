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
        // in batches; everything up to here is indexed (replaced by v13).
        migrator.registerMigration("v12-deferred-search-index") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO meta (key, value)
                VALUES ('search_indexed_up_to', (SELECT COALESCE(MAX(id), 0) FROM messages))
                """)
        }
        // The full-text index moved to a file of its own (SearchIndexFile),
        // written by its own connection instead of the message writer. The
        // database keeps only which messages an edit or recall changed; the
        // new file is filled from `messages` after the first start.
        // AUTOINCREMENT: the indexer's position must stay valid after the
        // applied rows are deleted.
        migrator.registerMigration("v13-search-index-file") { db in
            try db.execute(sql: """
                DROP TABLE IF EXISTS message_search;
                DROP VIEW IF EXISTS message_texts;
                DELETE FROM meta WHERE key = 'search_indexed_up_to';
                CREATE TABLE search_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id INTEGER NOT NULL
                );
                """)
        }
        // Every 1:1 message rewrote both sides' "last message" (a probe and
        // two updates, 13 % of the writer's time in `roost bench store`, and
        // two more dirty pages per commit); the conversation list now reads
        // each pair's newest message along messages_by_conversation.
        migrator.registerMigration("v14-direct-conversations-pairs-only") { db in
            try db.execute(sql: """
                ALTER TABLE direct_conversations DROP COLUMN last_message_id;
                ALTER TABLE direct_conversations DROP COLUMN updated_at;
                """)
        }
    }
}
