import Foundation
import GRDB
import Logging
import RoostProtocol
import RoostWALBuffer

/// Roost's default storage: one SQLite file in WAL mode through a GRDB
/// `DatabasePool` (concurrent readers, one writer), with group commit.
public final class SQLiteStore: RoostStore {
    public struct Options: Sendable {
        /// `synchronous=FULL` (default) fsyncs every commit: an ack means on disk.
        public var synchronousFull: Bool = true
        public var busyTimeoutSeconds: Double = 5
        /// Operations per group-commit transaction.
        public var maxBatch: Int = 1_000
        /// Reader connections. Every read hops to one; when all are taken,
        /// GRDB parks the next read's thread on a semaphore, and a burst of
        /// connections (two reads each) paid for that in context switches:
        /// at 19,000 idle connections 12 readers opened ~9 % more per second
        /// than GRDB's default of 5 (docs/benchmarks.md).
        public var readers: Int = 12
        /// Queued writes beyond which new writes are refused (`StorageError.overloaded`).
        public var maxPendingWrites: Int = 100_000
        /// Snowflake node id (0 for a single node).
        public var node: Int64 = 0
        /// How often the WAL is copied back into the database file, off the commit path.
        public var checkpointInterval: Duration = .milliseconds(20)
        /// WAL bytes past which the WAL starts over from its beginning once a
        /// background checkpoint has copied it (and a longer one is cut back).
        public var walSizeLimit: Int = 16 << 20
        /// How long a new message's text may wait for the full-text index
        /// (searches index what waits first); zero indexes as soon as the
        /// indexer sees a commit (it looks every 5 ms).
        public var searchIndexInterval: Duration = .seconds(1)
        /// Messages one indexing transaction takes at most; a backlog takes several.
        public var searchIndexChunk: Int = 500

        public init() {}
    }

    public let epoch: String
    public let path: String
    /// One writer queue: writes commit in the order they were enqueued.
    public var commitsInSubmissionOrder: Bool { true }
    let pool: DatabasePool
    let writer: GroupCommitWriter
    let ids: SnowflakeGenerator
    let heads = HeadCache()
    let searchIndex: SearchIndex
    /// The reads of each new connection (its user, its session start), batched.
    let connectionReads: ReadBatcher
    let logger: Logger
    private let checkpointer: WALCheckpointer

    /// Opens (creating and migrating if needed) the database at `path`.
    public init(path: String, options: Options = .init(), logger: Logger = Logger(label: "roost.storage")) throws {
        // Before SQLite's first use in the process: no mutex per call and no
        // process-wide lock around SQLite's allocations (RoostSQLiteSettings.h).
        _ = roost_sqlite_settings_apply()
        // Every SQLite file of the process from here on: each transaction's WAL
        // frames reach the file in one write instead of two per page.
        _ = roost_wal_buffer_register(0x1ffff)
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeoutSeconds)
        config.foreignKeysEnabled = true
        config.maximumReaderCount = max(options.readers, 1)
        let synchronous = options.synchronousFull ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            // A recalled message's content must not survive in freed page space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            if !db.configuration.readonly {
                // The writer's batches dirty pages all over the inbox, sends and
                // index B-trees: with the default 2 MiB cache it re-read them from
                // the file and spilled dirty pages into the WAL mid-transaction.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Checkpoints run in the background (WALCheckpointer); the
                // writer checkpoints itself only if the WAL passes ~200 MiB.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 50000")
                // After a burst the WAL starts over and is cut back to the limit.
                try db.execute(sql: "PRAGMA journal_size_limit = \(options.walSizeLimit)")
            }
        }
        let pool = try DatabasePool(path: path, configuration: config)
        // GRDB's DatabasePool sets `synchronous = NORMAL` on its writer when
        // it turns WAL on, after `prepareDatabase`: without this every commit
        // was acked before it was fsynced (SQLiteStoreTests.walWithFullSynchronousOnTheWriter).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        try Schema.migrator.migrate(pool)
        let (epoch, lastID) = try pool.write { db -> (String, Int64) in
            let epoch: String
            if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") {
                epoch = stored
            } else {
                epoch = Self.newEpoch()
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('epoch', ?)", arguments: [epoch])
            }
            // Groups take ids from the same generator: seed above both tables.
            let lastID = try Int64.fetchOne(db, sql: """
                SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM messages UNION ALL SELECT MAX(id) FROM groups)
                """) ?? 0
            return (epoch, lastID)
        }
        self.path = path
        self.pool = pool
        self.epoch = epoch
        self.logger = logger
        self.ids = SnowflakeGenerator(node: options.node, after: lastID)
        self.connectionReads = ReadBatcher(pool: pool)
        self.writer = GroupCommitWriter(pool: pool, heads: heads, maxBatch: options.maxBatch,
                                        maxPending: options.maxPendingWrites, metrics: StorageMetrics())
        let writer = self.writer
        let indexPath = SearchIndexFile.path(beside: path)
        self.searchIndex = try SearchIndex(
            pool: SearchIndexFile.open(path: indexPath, beside: pool, mainPath: path, epoch: epoch,
                                       busyTimeoutSeconds: options.busyTimeoutSeconds),
            main: pool, interval: options.searchIndexInterval, chunk: options.searchIndexChunk, logger: logger)
        searchIndex.start(commits: { writer.committedBatches })
        self.checkpointer = try WALCheckpointer(path: path, interval: options.checkpointInterval,
                                                walSizeLimit: options.walSizeLimit,
                                                busyTimeoutSeconds: options.busyTimeoutSeconds, logger: logger,
                                                commits: { writer.committedBatches },
                                                restartWAL: { writer.requestWALRestart() })
    }

    static func newEpoch() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    /// Group-commit transactions committed since the store opened (`roost bench store`, tests).
    public var committedBatches: Int { writer.committedBatches }

    public func close() async throws {
        await writer.close()
        try await searchIndex.close()
        try await checkpointer.close()
        // Fold the WAL back into the main file so a stopped server leaves one
        // self-contained roost.sqlite (copyable, and quick to open next time).
        do {
            _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            logger.warning("WAL checkpoint at close failed", metadata: ["error": "\(error)"])
        }
        try pool.close()
    }

    public func stats() async throws -> StoreStats {
        try await pool.read { db in
            let users = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0
            // MAX(rowid)-based estimate would drift after deletes; COUNT is exact and fine at /stats rates.
            let messages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0
            return StoreStats(users: users, messages: messages)
        }
    }
}
