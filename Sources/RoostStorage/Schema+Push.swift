import GRDB

extension Schema {
    /// Push endpoints of offline devices (issue 10), a migration of its own so
    /// existing databases gain the table in place.
    static func registerPushMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-push-endpoints") { db in
            try db.execute(sql: """
                -- One endpoint per (user, device); an account deletion takes its rows.
                CREATE TABLE push_endpoints (
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    device TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, device)
                ) WITHOUT ROWID;
                """)
        }
    }
}
