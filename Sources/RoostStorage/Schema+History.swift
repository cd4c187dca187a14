import GRDB

extension Schema {
    /// Tables of read positions, conversation summaries and files.
    ///
    /// Kept out of "v1-core" so existing databases migrate forward in place.
    static func registerHistoryMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-history") { db in
            try db.execute(sql: """
                -- One row per user and 1:1 peer with at least one message, upserted by
                -- the send transaction: the conversation list reads this instead of
                -- scanning messages. Groups are listed from their memberships.
                CREATE TABLE direct_conversations (
                    user_id INTEGER NOT NULL,
                    peer_id INTEGER NOT NULL,
                    last_message_id INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, peer_id)
                ) WITHOUT ROWID;
                CREATE INDEX direct_conversations_by_recent ON direct_conversations(user_id, last_message_id);

                -- A user's read position per conversation (conv_key as in messages);
                -- only ever moves forward.
                CREATE TABLE read_positions (
                    user_id INTEGER NOT NULL,
                    conv_key TEXT NOT NULL,
                    up_to INTEGER NOT NULL,
                    PRIMARY KEY (user_id, conv_key)
                ) WITHOUT ROWID;

                -- Uploaded files. id is server-made (random hex) and is also the file
                -- name under data/files/; name is display metadata only.
                CREATE TABLE files (
                    id TEXT PRIMARY KEY,
                    uploader_id INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    mime TEXT NOT NULL,
                    name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    width INTEGER,
                    height INTEGER,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;

                -- Conversations a file was sent in: their participants may download it.
                CREATE TABLE file_shares (
                    file_id TEXT NOT NULL,
                    conv_key TEXT NOT NULL,
                    PRIMARY KEY (file_id, conv_key)
                ) WITHOUT ROWID;
                """)
        }
        // 1:1 presence contacts are the pairs of direct_conversations: the
        // separate contacts table cost two writes per message for nothing.
        migrator.registerMigration("v3-drop-contacts") { db in
            try db.execute(sql: "DROP TABLE IF EXISTS contacts")
        }
    }
}
