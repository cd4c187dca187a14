import GRDB

/// The SQLite schema as named migrations. Keys grow in insert order where it
/// matters (inbox by (user, seq), messages by Snowflake id) and secondary
/// indexes are few: B-tree inserts dominate write cost here.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    password_hash TEXT NOT NULL,
                    is_admin INTEGER NOT NULL DEFAULT 0,
                    token_version INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );

                CREATE TABLE devices (
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    acked_seq INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (user_id, name)
                ) WITHOUT ROWID;

                -- conv_key: 'd:<low user>:<high user>' or 'g:<group>'.
                -- content is NULL once a message is recalled.
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    sender_id INTEGER NOT NULL,
                    recipient_id INTEGER,
                    group_id INTEGER,
                    conv_key TEXT NOT NULL,
                    client_id TEXT,
                    content TEXT,
                    recalled INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX messages_by_conversation ON messages(conv_key, id);

                -- Idempotency of send_message per (user, device, request id).
                CREATE TABLE sends (
                    user_id INTEGER NOT NULL,
                    device TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    message_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    timestamp INTEGER NOT NULL,
                    PRIMARY KEY (user_id, device, client_id)
                ) WITHOUT ROWID;

                -- The per-user inbox: gap-free seq per user.
                -- message items reference messages(id); other kinds carry a JSON payload.
                CREATE TABLE inbox (
                    user_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    message_id INTEGER,
                    payload TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, seq)
                ) WITHOUT ROWID;
                """)
        }
        registerGroupMigrations(&migrator)
        registerHistoryMigrations(&migrator)
        registerFeatureMigrations(&migrator)
        registerPushMigrations(&migrator)
        registerWritePathMigrations(&migrator)
        return migrator
    }
}
