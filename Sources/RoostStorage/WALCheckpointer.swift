import GRDB
import Logging
import Synchronization

/// Copies the WAL back into the database file from a connection of its own,
/// once per `interval`, so that commits never do it.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold: that commit (and every message waiting behind it in the group
/// commit) waits while thousands of pages are copied and the file is
/// fsynced, which showed as p99 latency spikes. A PASSIVE checkpoint from
/// another connection takes no write lock: the writer keeps appending
/// meanwhile, and once a checkpoint caught up the writer starts the WAL
/// over from its beginning. The writer's own automatic checkpoint stays, at a
/// high threshold, as a bound on the WAL if this one falls behind.
///
/// Under steady load that moment never comes: the writer commits again
/// while each checkpoint copies, so the WAL never starts over and grew by
/// every page written (~200 MiB in 8 s of benchmark: disk, page cache, and
/// a long recovery after a crash). Once a checkpoint finds the WAL past
/// `walSizeLimit` and caught up with it, the writer is asked to copy the
/// few frames committed since, between two batches
/// (`GroupCommitWriter.requestWALRestart`): its next commit then writes the
/// WAL from its beginning, over pages already on disk.
///
/// Short intervals keep each checkpoint small: its fsync of the database
/// file delays the writer's fsync of the WAL on the same disk. At 5,000
/// msgs/s a second's worth of pages showed as a p99 of ~50 ms, 100 ms'
/// worth as ~20-25 ms, 20 ms' worth as ~10-18 ms, which also lifted a
/// group's fan-out by a fifth (docs/benchmarks.md, seventh session). An
/// interval without commits is skipped.
///
/// It runs on a `BackgroundLoop`, below the connections' priority.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let loop: BackgroundLoop

    /// `commits` counts the writer's commits: no new one, no checkpoint.
    /// `restartWAL` asks the writer to finish a checkpoint of a WAL past
    /// `walSizeLimit` bytes.
    init(path: String, interval: Duration, walSizeLimit: Int, busyTimeoutSeconds: Double, logger: Logger,
         commits: @escaping @Sendable () -> Int, restartWAL: @escaping @Sendable () -> Void) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        let connection = try DatabaseQueue(path: path, configuration: config)
        self.connection = connection
        let limitFrames = max(walSizeLimit / (try connection.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? 4096), 1)
        let checkpointedAt = Mutex(-1)
        loop = BackgroundLoop(name: "roost-checkpt", period: interval) {
            let committed = commits()
            guard checkpointedAt.withLock({ seen in
                defer { seen = committed }
                return seen != committed
            }) else { return }
            do {
                func checkpoint() throws -> (frames: Int, copied: Int) {
                    let result = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                    return (result.walFrameCount, result.checkpointedFrameCount)
                }
                var (frames, copied) = try checkpoint()
                // Caught up with what it saw (no reader held an older snapshot)?
                guard frames >= limitFrames && copied == frames else { return }
                // Copy what was committed meanwhile, twice at most: the
                // writer's own checkpoint (no batch runs during it) then
                // copies only the last few commits' frames.
                for _ in 0..<2 where copied == frames {
                    let seen = frames
                    (frames, copied) = try checkpoint()
                    if frames == seen { break }
                }
                if copied == frames { restartWAL() }
            } catch {
                logger.debug("background WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func close() async throws {
        await loop.stop()
        try connection.close()
    }
}
