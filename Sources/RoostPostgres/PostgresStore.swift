import Foundation
import Logging
import PostgresNIO
import RoostProtocol
import RoostStorage

/// Roost's storage on PostgreSQL, for several identical nodes behind a load
/// balancer (`roost serve --database postgres://...`). Same contract as
/// `SQLiteStore`: every mutating call returns after its transaction commits,
/// inbox seqs are gap-free per user (allocated under a row lock on the user's
/// head, see `InboxAppend`), sends are idempotent per (user, device, id).
public final class PostgresStore: RoostStore {
    public struct Options: Sendable {
        /// Pool size: writes, reads and the node-id claim share it.
        public var maxConnections: Int = 12
        /// Write transactions running at once (see `PostgresWriter`).
        public var maxConcurrentWrites: Int = 6
        /// Queued writes beyond which new writes are refused (`StorageError.overloaded`).
        public var maxPendingWrites: Int = 100_000
        /// Snowflake node id; nil claims the lowest one no running node holds.
        public var node: Int64?

        public init() {}
    }

    public let epoch: String
    /// The Snowflake node id this process holds.
    public let node: Int64
    let client: PostgresClient
    let writer: PostgresWriter
    let cursors: CursorBuffer
    let ids: SnowflakeGenerator
    let logger: Logger
    private let running: Task<Void, Never>
    private let claim: NodeClaim

    /// Connects, migrates the schema and claims a node id.
    public static func open(url: String, options: Options = .init(),
                            logger: Logger = Logger(label: "roost.storage")) async throws -> PostgresStore {
        var configuration = try PostgresURL(url).configuration
        configuration.options.maximumConnections = max(options.maxConnections, options.maxConcurrentWrites + 2)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        var claim: NodeClaim?
        do {
            try await PostgresMigrator.migrate(client, logger: logger)
            let claimed = try await NodeClaim.claim(client, preferred: options.node, logger: logger)
            claim = claimed
            let (epoch, lastID) = try await Self.loadMeta(client, logger: logger)
            return PostgresStore(client: client, running: running, claim: claimed, epoch: epoch, lastID: lastID,
                                 options: options, logger: logger)
        } catch {
            await claim?.release()
            running.cancel()
            await running.value
            throw error
        }
    }

    private init(client: PostgresClient, running: Task<Void, Never>, claim: NodeClaim, epoch: String, lastID: Int64,
                 options: Options, logger: Logger) {
        self.client = client
        self.running = running
        self.claim = claim
        self.node = claim.node
        self.epoch = epoch
        self.logger = logger
        self.ids = SnowflakeGenerator(node: claim.node, after: lastID)
        self.writer = PostgresWriter(client: client, maxConcurrent: options.maxConcurrentWrites,
                                     maxPending: options.maxPendingWrites, logger: logger)
        self.cursors = CursorBuffer(client: client, logger: logger)
    }

    /// The epoch (created by the first node to start) and the highest id minted so far.
    private static func loadMeta(_ client: PostgresClient, logger: Logger) async throws -> (String, Int64) {
        try await client.withConnection { connection in
            let db = Database(connection: connection, logger: logger)
            try await db.run("""
                INSERT INTO meta (key, value) VALUES ('epoch', \(Self.newEpoch())) ON CONFLICT (key) DO NOTHING
                """)
            let epoch = try await db.value("SELECT value FROM meta WHERE key = 'epoch'", as: String.self) ?? ""
            // Groups take ids from the same generator: seed above both tables.
            let lastID = try await db.value("""
                SELECT GREATEST((SELECT MAX(id) FROM messages), (SELECT MAX(id) FROM groups))
                """, as: Int64.self) ?? 0
            return (epoch, lastID)
        }
    }

    static func newEpoch() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    /// Migrations the database at `url` has not run (`roost migrate --check`).
    public static func pendingMigrations(url: String, logger: Logger = Logger(label: "roost.storage")) async throws -> [String] {
        let client = PostgresClient(configuration: try PostgresURL(url).configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        return try await PostgresMigrator.pending(client, logger: logger)
    }

    public func close() async throws {
        await writer.close()
        await cursors.close()
        await claim.release()
        running.cancel()
        await running.value
    }

    public func stats() async throws -> StoreStats {
        try await read { db in
            let users = try await db.value("SELECT COUNT(*) FROM users", as: Int.self) ?? 0
            let messages = try await db.value("SELECT COUNT(*) FROM messages", as: Int.self) ?? 0
            return StoreStats(users: users, messages: messages)
        }
    }

    /// Runs `body` on a pooled connection, outside any transaction.
    func read<T: Sendable>(_ body: (Database) async throws -> T) async throws -> T {
        try await client.withConnection { [logger] connection in
            try await body(Database(connection: connection, logger: logger))
        }
    }

    /// Runs `body` in its own write transaction (see `PostgresWriter`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        try await writer.write(body)
    }

    /// Transactions committed so far (tests check that failed operations leave no trace).
    public var committedWrites: Int { writer.committedTransactions }
}
