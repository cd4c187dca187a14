import GRDB

extension Schema {
    /// Tables of groups, memberships, friendships and 1:1 contacts.
    static func registerGroupMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-groups") { db in
            try db.execute(sql: """
                -- version grows with every change of the row or its members: the core's
                -- membership cache compares it inside a send's transaction (one PK read)
                -- instead of reading the member list per message.
                CREATE TABLE groups (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    owner_id INTEGER NOT NULL,
                    open INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at INTEGER NOT NULL
                );

                -- joined: a Snowflake id taken at join time, so it orders members by
                -- seniority ("the longest-standing member becomes owner").
                CREATE TABLE group_members (
                    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
                    user_id INTEGER NOT NULL,
                    joined INTEGER NOT NULL,
                    PRIMARY KEY (group_id, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX group_members_by_user ON group_members(user_id, group_id);

                -- One row per direction: (a, b) means a asked b (or accepted b's request).
                -- Friends are pairs with both rows; a single row is a pending request.
                CREATE TABLE friend_requests (
                    user_id INTEGER NOT NULL,
                    peer_id INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, peer_id)
                ) WITHOUT ROWID;
                CREATE INDEX friend_requests_by_peer ON friend_requests(peer_id, user_id);

                -- Users who exchanged a 1:1 message, both directions stored: presence peers.
                CREATE TABLE contacts (
                    user_id INTEGER NOT NULL,
                    peer_id INTEGER NOT NULL,
                    PRIMARY KEY (user_id, peer_id)
                ) WITHOUT ROWID;
                """)
        }
    }
}
