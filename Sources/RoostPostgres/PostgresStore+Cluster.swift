import Logging
import PostgresNIO
import RoostProtocol
import RoostStorage

/// What several nodes on one database tell each other (docs/scaling.md):
/// which node holds which users' devices (`node_users`, kept current by each
/// node, expired with a node that stops refreshing `cluster_nodes`), and new
/// inbox heads, sent after the commit with NOTIFY on the channel of each node
/// concerned. Heads are also readable in bulk for the nodes' polling.
extension PostgresStore {
    /// The channel this node LISTENs on.
    public var channel: String { "roost_node_\(node)" }

    /// Records the users connected here: `added` and `removed` since the last
    /// call; also the node's heartbeat, and drops the rows of nodes that
    /// stopped beating (crashed) for more than `expiry` milliseconds.
    public func updateConnectedUsers(added: [Int64], removed: [Int64], expiry: Int64 = 30_000) async throws {
        let now = nowMillis()
        try await read { [node] db in
            try await db.run("""
                INSERT INTO cluster_nodes (node, seen_at) VALUES (\(node), \(now))
                ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at
                """)
            if !removed.isEmpty {
                try await db.run("DELETE FROM node_users WHERE node = \(node) AND user_id = ANY(\(removed))")
            }
            if !added.isEmpty {
                try await db.run("""
                    INSERT INTO node_users (user_id, node) SELECT u, \(node) FROM unnest(\(added)::bigint[]) AS u
                    ON CONFLICT DO NOTHING
                    """)
            }
            try await db.run("""
                DELETE FROM node_users WHERE node IN (SELECT node FROM cluster_nodes WHERE seen_at < \(now - expiry))
                """)
        }
    }

    /// Forgets every user recorded for this node (a restart starts with no sockets).
    public func clearConnectedUsers() async throws {
        try await read { [node] db in try await db.run("DELETE FROM node_users WHERE node = \(node)") }
    }

    /// Notifies the other nodes holding these users: one NOTIFY per node with
    /// `user:head` pairs, at most 300 users per payload (PostgreSQL caps one at 8000 bytes).
    public func publishHeads(_ heads: [Int64: Int64]) async throws {
        let users = Array(heads.keys)
        try await read { [node] db in
            for start in stride(from: 0, to: users.count, by: 300) {
                let chunk = Array(users[start..<min(start + 300, users.count)])
                let seqs = chunk.map { heads[$0]! }
                try await db.run("""
                    SELECT pg_notify('roost_node_' || n.node, string_agg(n.user_id || ':' || h.seq, ','))
                    FROM node_users n JOIN unnest(\(chunk)::bigint[], \(seqs)::bigint[]) AS h(user_id, seq)
                        ON h.user_id = n.user_id
                    WHERE n.node <> \(node)
                    GROUP BY n.node
                    """)
            }
        }
    }

    /// The heads of `users` (the polling safety net).
    public func heads(of users: [Int64]) async throws -> [Int64: Int64] {
        guard !users.isEmpty else { return [:] }
        return try await read { db in
            var heads: [Int64: Int64] = [:]
            for row in try await db.rows("SELECT user_id, seq FROM heads WHERE user_id = ANY(\(users))") {
                let (user, seq) = try row.decode((Int64, Int64).self)
                heads[user] = seq
            }
            return heads
        }
    }

    /// LISTENs on this node's channel until cancelled or the connection fails;
    /// hands each notice's heads to `received`.
    public func listenForHeads(_ received: @escaping @Sendable ([Int64: Int64]) async -> Void) async throws {
        try await client.withConnection { [channel] connection in
            for try await notification in try await connection.listen(channel) {
                var heads: [Int64: Int64] = [:]
                for pair in notification.payload.split(separator: ",") {
                    let parts = pair.split(separator: ":")
                    guard parts.count == 2, let user = Int64(parts[0]), let seq = Int64(parts[1]) else { continue }
                    heads[user] = max(heads[user] ?? 0, seq)
                }
                if !heads.isEmpty { await received(heads) }
            }
        }
    }
}
