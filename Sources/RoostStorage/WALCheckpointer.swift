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
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let task: Task<Void, Never>

    init(path: String, interval: Duration, busyTimeoutSeconds: Double, logger: Logger) throws {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        let connection = try DatabaseQueue(path: path, configuration: config)
        self.connection = connection
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
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
