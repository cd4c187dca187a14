import GRDB
import Logging

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
/// Short intervals keep each checkpoint small: its fsync of the database
/// file delays the writer's fsync of the WAL on the same disk, so a second's
/// worth of pages showed as a 50 ms p99 at 5,000 msgs/s, a tenth of that as
/// under 20 ms (docs/benchmarks.md). An interval without commits is skipped.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let task: Task<Void, Never>

    /// `commits` counts the writer's commits: no new one, no checkpoint.
    init(path: String, interval: Duration, busyTimeoutSeconds: Double, logger: Logger,
         commits: @escaping @Sendable () -> Int) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        let connection = try DatabaseQueue(path: path, configuration: config)
        self.connection = connection
        task = Task {
            var checkpointedAt = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                let committed = commits()
                guard committed != checkpointedAt else { continue }
                checkpointedAt = committed
                do {
                    _ = try await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                } catch {
                    logger.debug("background WAL checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    func close() async throws {
        task.cancel()
        await task.value
        try connection.close()
    }
}
