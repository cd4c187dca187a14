import PostgresNIO
import RoostStorage

/// Which node holds each connected device (`node_devices`): the per-user
/// device cap across nodes, and replacement of a device that connects again
/// through another node (PROTOCOL.md 7, `kicked` `replaced`).
extension PostgresStore {
    /// A connected device, as recorded for its node.
    public struct ConnectedDevice: Hashable, Sendable {
        public let user: Int64
        public let device: String

        public init(user: Int64, device: String) {
            self.user = user
            self.device = device
        }
    }

    /// Arbitrary, fixed: the first half of the advisory lock key that
    /// serializes the claims of one user's devices.
    static let deviceLockClass: Int32 = 0x526F_6F44

    /// Records `device` of `user` as connected on this node, unless the user
    /// already has `maxDevices` other devices on live nodes (then false, and
    /// nothing is written). If another node held the device, that node is
    /// notified (`r|user|device`) when the claim commits. Claims of one user
    /// are serialized, so two nodes never both take the last place.
    public func claimDevice(user: Int64, device: String, maxDevices: Int, expiry: Int64) async throws -> Bool {
        try await write { [node] db in
            try await db.run("SELECT pg_advisory_xact_lock(\(Self.deviceLockClass), \(Int32(truncatingIfNeeded: user)))")
            let rows = try await db.rows("""
                SELECT d.device, d.node FROM node_devices d LEFT JOIN cluster_nodes c ON c.node = d.node
                WHERE d.user_id = \(user) AND (d.node = \(node) OR c.seen_at >= \(unescaped: Self.dbNow) - \(expiry))
                """)
            var others = 0
            var holder: Int64?
            for row in rows {
                let (name, rowNode) = try row.decode((String, Int64).self)
                if name == device { holder = rowNode } else { others += 1 }
            }
            guard others < maxDevices else { return false }
            try await db.run("""
                INSERT INTO node_devices (user_id, device, node) VALUES (\(user), \(device), \(node))
                ON CONFLICT (user_id, device) DO UPDATE SET node = excluded.node
                """)
            if let holder, holder != node {
                // Delivered at commit, never for a claim that rolled back.
                try await db.run("SELECT pg_notify(\(Self.channel(of: holder)), \("r|\(user)|\(device)"))")
            }
            return true
        }
    }

    /// The node recorded as holding `device` of `user`, if any.
    public func deviceNode(user: Int64, device: String) async throws -> Int64? {
        try await read { db in
            try await db.value("SELECT node FROM node_devices WHERE user_id = \(user) AND device = \(device)",
                               as: Int64.self)
        }
    }

    /// Drops this node's records of `user`'s devices but those in `keep`
    /// (still connected here).
    public func forgetDevices(of user: Int64, keeping keep: [String]) async throws {
        try await read { [node] db in
            try await db.run("""
                DELETE FROM node_devices WHERE node = \(node) AND user_id = \(user) AND NOT (device = ANY(\(keep)::text[]))
                """)
        }
    }

    /// Those of `users` with a device on another node that beat within `expiry` milliseconds.
    public func onlineElsewhere(_ users: [Int64], expiry: Int64) async throws -> Set<Int64> {
        guard !users.isEmpty else { return [] }
        return try await read { [node] db in
            Set(try await db.values("""
                SELECT DISTINCT d.user_id FROM node_devices d JOIN cluster_nodes c ON c.node = d.node
                WHERE d.user_id = ANY(\(users)) AND d.node <> \(node) AND c.seen_at >= \(unescaped: Self.dbNow) - \(expiry)
                """, as: Int64.self))
        }
    }

    /// Brings this node's device records in step with what connected and left
    /// since the last call. Added rows never take a device from another node
    /// (only a claim does). With `whole`, `added` is everything connected here
    /// and any other record of this node is dropped.
    public func updateConnectedDevices(added: [ConnectedDevice], removed: [ConnectedDevice], whole: Bool = false)
        async throws {
        try await read { [node] db in
            if whole {
                try await db.run("""
                    DELETE FROM node_devices WHERE node = \(node) AND (user_id, device) NOT IN
                        (SELECT * FROM unnest(\(added.map(\.user))::bigint[], \(added.map(\.device))::text[]))
                    """)
            } else if !removed.isEmpty {
                try await db.run("""
                    DELETE FROM node_devices WHERE node = \(node) AND (user_id, device) IN
                        (SELECT * FROM unnest(\(removed.map(\.user))::bigint[], \(removed.map(\.device))::text[]))
                    """)
            }
            if !added.isEmpty {
                try await db.run("""
                    INSERT INTO node_devices (user_id, device, node)
                    SELECT u, d, \(node) FROM unnest(\(added.map(\.user))::bigint[], \(added.map(\.device))::text[]) AS x(u, d)
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }
}
