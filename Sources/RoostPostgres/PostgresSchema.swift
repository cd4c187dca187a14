import Foundation

/// The PostgreSQL schema as versioned migrations, applied in order and recorded
/// in `roost_migrations` (see `PostgresMigrator`). Never edit a released one:
/// add the next version.
///
/// It mirrors the SQLite schema (same tables, same keys) with two differences
/// that make several nodes possible: `heads` holds each user's inbox head as a
/// row that a write locks to allocate seqs (SQLite's single writer needs no
/// lock), and full-text search is a generated `tsvector` column with a GIN
/// index instead of an FTS5 table kept in step by hand.
enum PostgresSchema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let sql: String

        /// One statement at a time: postgres-nio prepares each query, and a
        /// prepared statement holds one command. Statements end with `;` at a line end.
        var statements: [String] {
            sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
                .filter { !$0.isEmpty }
        }
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "core", sql: """
            CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );

            CREATE TABLE users (
                id BIGSERIAL PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                is_admin BOOLEAN NOT NULL DEFAULT FALSE,
                token_version BIGINT NOT NULL DEFAULT 0,
                banned BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL
            );

            -- The user's highest allocated inbox seq. Every write that adds items
            -- locks the rows of the users concerned (ascending id, so two writes never
            -- wait on each other crosswise) and moves them in its own transaction:
            -- seqs are gap-free per user across every node.
            CREATE TABLE heads (
                user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                seq BIGINT NOT NULL DEFAULT 0
            );

            CREATE TABLE devices (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                acked_seq BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (user_id, name)
            );

            -- conv_key: 'd:<low user>:<high user>' or 'g:<group>'. content (JSON text)
            -- is NULL once recalled. search_text is the text as search sees it (case and
            -- diacritics folded by the writer, as SQLite's tokenizer does), NULL with
            -- the content; search follows it (no text, no match).
            CREATE TABLE messages (
                id BIGINT PRIMARY KEY,
                sender_id BIGINT NOT NULL,
                recipient_id BIGINT,
                group_id BIGINT,
                conv_key TEXT NOT NULL,
                client_id TEXT,
                content TEXT,
                recalled BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL,
                edited_at BIGINT,
                reactions TEXT,
                search_text TEXT,
                search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED
            );
            CREATE INDEX messages_by_conversation ON messages (conv_key, id);
            CREATE INDEX messages_search ON messages USING GIN (search);

            -- Idempotency of send_message per (user, device, request id).
            CREATE TABLE sends (
                user_id BIGINT NOT NULL,
                device TEXT NOT NULL,
                client_id TEXT NOT NULL,
                message_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                timestamp BIGINT NOT NULL,
                PRIMARY KEY (user_id, device, client_id)
            );

            CREATE TABLE inbox (
                user_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                type TEXT NOT NULL,
                message_id BIGINT,
                payload TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, seq)
            );
            """),
        Migration(version: 2, name: "groups", sql: """
            CREATE TABLE groups (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                owner_id BIGINT NOT NULL,
                open BOOLEAN NOT NULL DEFAULT FALSE,
                version BIGINT NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL
            );

            CREATE TABLE group_members (
                group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
                user_id BIGINT NOT NULL,
                joined BIGINT NOT NULL,
                PRIMARY KEY (group_id, user_id)
            );
            CREATE INDEX group_members_by_user ON group_members (user_id, group_id);

            CREATE TABLE friend_requests (
                user_id BIGINT NOT NULL,
                peer_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, peer_id)
            );
            CREATE INDEX friend_requests_by_peer ON friend_requests (peer_id, user_id);
            """),
        Migration(version: 3, name: "history", sql: """
            CREATE TABLE direct_conversations (
                user_id BIGINT NOT NULL,
                peer_id BIGINT NOT NULL,
                last_message_id BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, peer_id)
            );
            CREATE INDEX direct_conversations_by_recent ON direct_conversations (user_id, last_message_id);

            CREATE TABLE read_positions (
                user_id BIGINT NOT NULL,
                conv_key TEXT NOT NULL,
                up_to BIGINT NOT NULL,
                PRIMARY KEY (user_id, conv_key)
            );

            CREATE TABLE files (
                id TEXT PRIMARY KEY,
                uploader_id BIGINT NOT NULL,
                size BIGINT NOT NULL,
                mime TEXT NOT NULL,
                name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                width BIGINT,
                height BIGINT,
                created_at BIGINT NOT NULL
            );

            CREATE TABLE file_shares (
                file_id TEXT NOT NULL,
                conv_key TEXT NOT NULL,
                PRIMARY KEY (file_id, conv_key)
            );
            """),
        Migration(version: 4, name: "features", sql: """
            CREATE TABLE mentions (
                user_id BIGINT NOT NULL,
                conv_key TEXT NOT NULL,
                message_id BIGINT NOT NULL,
                PRIMARY KEY (user_id, conv_key, message_id)
            );

            CREATE TABLE blocks (
                user_id BIGINT NOT NULL,
                blocked_id BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, blocked_id)
            );
            CREATE INDEX blocks_by_blocked ON blocks (blocked_id, user_id);

            -- Account changes every node must act on (close the sockets concerned).
            CREATE TABLE account_events (
                id BIGSERIAL PRIMARY KEY,
                user_id BIGINT NOT NULL,
                kind TEXT NOT NULL,
                token_version BIGINT,
                created_at BIGINT NOT NULL
            );
            """),
        Migration(version: 5, name: "cluster", sql: """
            -- Nodes alive (each refreshes seen_at every second) and the users whose
            -- devices each holds: who to NOTIFY after a commit (docs/scaling.md).
            CREATE TABLE cluster_nodes (
                node BIGINT PRIMARY KEY,
                seen_at BIGINT NOT NULL
            );

            CREATE TABLE node_users (
                user_id BIGINT NOT NULL,
                node BIGINT NOT NULL,
                PRIMARY KEY (user_id, node)
            );
            """),
        Migration(version: 6, name: "push", sql: """
            -- Push endpoints for offline devices (PROTOCOL.md 9), as in SQLite's v10-push-endpoints.
            CREATE TABLE push_endpoints (
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                device TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, device)
            );
            """),
        Migration(version: 7, name: "cluster-devices", sql: """
            -- Which node holds each connected device: the device cap across nodes,
            -- replacement of a device that connects again through another node,
            -- and presence (online while any live node holds a device).
            CREATE TABLE node_devices (
                user_id BIGINT NOT NULL,
                device TEXT NOT NULL,
                node BIGINT NOT NULL,
                PRIMARY KEY (user_id, device)
            );
            CREATE INDEX node_devices_node ON node_devices (node);
            """),
        Migration(version: 8, name: "file-blobs", sql: """
            -- Uploaded files' bytes, in parts of at most 1 MiB, so the nodes need no shared directory.
            CREATE TABLE file_blobs (
                file_id TEXT NOT NULL,
                part INTEGER NOT NULL,
                bytes BYTEA NOT NULL,
                PRIMARY KEY (file_id, part)
            );
            """),
    ]
}
