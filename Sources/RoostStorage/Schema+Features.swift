import GRDB

extension Schema {
    /// Edits, reactions, mentions, search, blocks and bans (PROTOCOL.md 9).
    static func registerFeatureMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-features") { db in
            guard try Bool.fetchOne(db, sql: "SELECT sqlite_compileoption_used('ENABLE_FTS5')") == true else {
                throw StorageError.sqliteFeatureMissing("FTS5 (full-text search)")
            }
            try db.execute(sql: """
                -- edited_at: last edit (ms). reactions: JSON {emoji: [user ids]}, NULL when
                -- none; kept on the row so every record read stays one row, no join.
                ALTER TABLE messages ADD COLUMN edited_at INTEGER;
                ALTER TABLE messages ADD COLUMN reactions TEXT;

                -- One row per mentioned participant of a live message: the unread mention
                -- count of a conversation is one range count above the read position.
                CREATE TABLE mentions (
                    user_id INTEGER NOT NULL,
                    conv_key TEXT NOT NULL,
                    message_id INTEGER NOT NULL,
                    PRIMARY KEY (user_id, conv_key, message_id)
                ) WITHOUT ROWID;

                -- user_id blocks blocked_id.
                CREATE TABLE blocks (
                    user_id INTEGER NOT NULL,
                    blocked_id INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, blocked_id)
                ) WITHOUT ROWID;
                CREATE INDEX blocks_by_blocked ON blocks(blocked_id, user_id);

                ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;

                -- Account changes made outside the server process (the admin CLI on the
                -- data directory): the server polls this to close the sockets concerned.
                CREATE TABLE account_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    token_version INTEGER,
                    created_at INTEGER NOT NULL
                );

                -- Full-text search: an external-content FTS5 index over the text of each
                -- message. The writes that insert, edit and recall a message keep it in
                -- step in their own transaction; recalled messages have no text.
                CREATE VIEW message_texts AS
                    SELECT id, json_extract(content, '$.text') AS text FROM messages;
                CREATE VIRTUAL TABLE message_search USING fts5(
                    text, content = 'message_texts', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                INSERT INTO message_search (message_search) VALUES ('rebuild');
                """)
        }
    }
}
