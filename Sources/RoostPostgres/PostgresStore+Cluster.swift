import Logging
import PostgresNIO
import RoostProtocol
import RoostStorage

/// What several nodes on one database tell each other (docs/scaling.md):
/// which node holds which users and devices (`node_users`, `node_devices`,
/// kept current by each node, dropped with a node that stops beating in
/// `cluster_nodes`), and notices on each node's channel: new inbox heads, sent
/// after the commit, and the ephemeral kinds of `ClusterNotice`. Heads are
/// also readable in bulk for the nodes' polling. Beats and expiry use the
/// database's clock, so the nodes' clocks need not agree.
extension PostgresStore {
    /// The channel this node LISTENs on.
    public var channel: String { Self.channel(of: node) }

    static func channel(of node: Int64) -> String { "roost_node_\(node)" }

    /// What one beat found.
    public struct Beat: Sendable {
        /// This node had no row in `cluster_nodes` (its first beat, or the
        /// others expired it while it stalled): its records must be written whole again.
        public let revived: Bool
        /// Users whose device records were dropped with an expired node.
        public let lostUsers: [Int64]
    }

    /// Records the users connected here: `added` and `removed` since the last
    /// call; also the node's heartbeat, and drops the rows of nodes that
    /// stopped beating (crashed) for more than `expiry` milliseconds.
    @discardableResult
    public func updateConnectedUsers(added: [Int64], removed: [Int64], expiry: Int64 = 30_000) async throws -> Beat {
        try await read { [node] db in
            let revived = try await db.value("""
                INSERT INTO cluster_nodes (node, seen_at) VALUES (\(node), \(unescaped: Self.dbNow))
                ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at
                RETURNING (xmax = 0)
                """, as: Bool.self) ?? true
            if !removed.isEmpty {
                try await db.run("DELETE FROM node_users WHERE node = \(node) AND user_id = ANY(\(removed))")
            }
            if !added.isEmpty {
                try await db.run("""
                    INSERT INTO node_users (user_id, node) SELECT u, \(node) FROM unnest(\(added)::bigint[]) AS u
                    ON CONFLICT DO NOTHING
                    """)
            }
            // Records of a node that has no row (expired, or never beat) are dropped too.
            let lost = try await db.values("""
                WITH dead AS (
                    DELETE FROM cluster_nodes WHERE node <> \(node) AND seen_at < \(unescaped: Self.dbNow) - \(expiry)
                    RETURNING node),
                users_gone AS (DELETE FROM node_users WHERE node IN (SELECT node FROM dead)),
                devices_gone AS (
                    DELETE FROM node_devices
                    WHERE node IN (SELECT node FROM dead) OR node NOT IN (SELECT node FROM cluster_nodes)
                    RETURNING user_id)
                SELECT DISTINCT user_id FROM devices_gone
                """, as: Int64.self)
            return Beat(revived: revived, lostUsers: lost)
        }
    }

    /// Forgets every user and device recorded for this node (a restart starts with no sockets).
    public func clearConnectedUsers() async throws {
        try await read { [node] db in
            try await db.run("DELETE FROM node_users WHERE node = \(node)")
            try await db.run("DELETE FROM node_devices WHERE node = \(node)")
        }
    }

    /// Notifies the other nodes holding these users: one NOTIFY per node with
    /// `user:head` pairs, at most 300 users per payload (PostgreSQL caps one at 8000 bytes).
    public func publishHeads(_ heads: [Int64: Int64]) async throws {
        let users = Array(heads.keys)
        try await read { [node] db in
            for chunk in users.chunked(by: ClusterNotice.maxUsersPerNotice) {
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

    /// Sends a presence or typing notice to each other node holding a device
    /// of one of its viewers, with the viewers that node holds.
    public func notifyViewers(_ notice: ClusterNotice) async throws {
        guard let prefix = notice.viewerPrefix else { return }
        let viewers: [Int64]
        switch notice {
        case .presence(_, _, let list), .typing(_, _, let list): viewers = list
        case .heads, .replaced: return
        }
        try await read { [node] db in
            for chunk in viewers.chunked(by: ClusterNotice.maxUsersPerNotice) {
                try await db.run("""
                    SELECT pg_notify('roost_node_' || d.node, \(prefix)::text || string_agg(DISTINCT d.user_id::text, ','))
                    FROM node_devices d
                    WHERE d.user_id = ANY(\(chunk)) AND d.node <> \(node)
                    GROUP BY d.node
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
    /// hands each notice to `received` (malformed or unknown ones are skipped).
    public func listen(_ received: @escaping @Sendable (ClusterNotice) async -> Void) async throws {
        try await client.withConnection { [channel] connection in
            for try await notification in try await connection.listen(channel) {
                if let notice = ClusterNotice(payload: notification.payload) { await received(notice) }
            }
        }
    }

    /// `listen` for the heads notices only.
    public func listenForHeads(_ received: @escaping @Sendable ([Int64: Int64]) async -> Void) async throws {
        try await listen { notice in
            if case .heads(let heads) = notice { await received(heads) }
        }
    }

    /// The database's clock in milliseconds: beats and their expiry compare on one clock.
    static let dbNow = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
