import GRDB
import Logging
import Metrics
import Synchronization

/// What one indexing step did.
struct SearchIndexStep: Sendable, Equatable {
    /// New texts added to the index.
    var indexed: Int
    /// Edited or recalled messages whose entry was replaced or removed.
    var changed: Int
    /// Whether every committed message's text is indexed now.
    var caughtUp: Bool
}

/// Full-text search, kept off the message writer. The index lives in a file
/// of its own (`SearchIndexFile`) with its own writer connection: FTS5
/// merges its segments inside whichever insert crosses a threshold, and
/// inside the database's one writer such a step (5-17 ms) held every
/// message queued behind it (the open loop's p99 at 5,000 msgs/s,
/// docs/benchmarks.md). Now the message writer only records which messages
/// an edit or recall changed (`search_changes`), and this indexer reads new
/// and changed texts from the database and writes them into its file.
///
/// New texts are indexed once `interval` has passed since the index last
/// caught up, at most `chunk` messages per transaction (one FTS5 segment for
/// many messages), steps a twentieth of the interval apart
/// (`SearchIndexPacing`). A search first catches the index up, so it never
/// misses a committed message; a recall removes the text from the index and
/// its WAL before it returns.
final class SearchIndex: Sendable {
    /// Index file connections; readers attach the database as `chat`.
    let pool: DatabasePool
    private let main: DatabasePool
    private let chunk: Int
    private let pacing: Mutex<SearchIndexPacing>
    private let applied = Atomic<Int64>(0)
    private let logger: Logger
    private let loop = Mutex<BackgroundLoop?>(nil)
    /// How far behind the messages the index is: 0 when it holds every
    /// committed text, else the age of the newest text it took last.
    private let lag = Gauge(label: "roost_search_index_lag_seconds")

    init(pool: DatabasePool, main: DatabasePool, interval: Duration, chunk: Int, logger: Logger) throws {
        self.pool = pool
        self.main = main
        self.pacing = Mutex(SearchIndexPacing(interval: interval, now: .now))
        self.chunk = max(chunk, 1)
        self.logger = logger
        applied.store(try pool.read { db in try SearchIndexState.read(db)?.appliedChange ?? 0 }, ordering: .relaxed)
    }

    /// Starts indexing in the background (`BackgroundLoop`, below the
    /// connections' priority); `commits` counts the message writer's commits
    /// (no new commit, nothing new to index).
    func start(commits: @escaping @Sendable () -> Int) {
        let tick = pacing.withLock { $0.tick }
        let background = BackgroundLoop(name: "roost-search", period: tick) { [self] in
            let commits = commits()
            guard pacing.withLock({ $0.isDue(commits: commits, now: .now) }) else { return }
            do {
                _ = try stepNow(newTexts: chunk)
            } catch {
                logger.warning("indexing message texts for search failed", metadata: ["error": "\(error)"])
            }
        }
        loop.withLock { $0 = background }
    }

    func close() async throws {
        if let background = loop.withLock({ $0 }) { await background.stop() }
        _ = try? await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }

    /// Changes applied up to here: the writer may forget older ones.
    var appliedChange: Int64 { applied.load(ordering: .relaxed) }

    /// Indexes everything committed so far (before a search).
    func catchUp() async throws {
        while try await !step(newTexts: chunk).caughtUp {}
    }

    /// Applies recorded edits and recalls only; after a recall, the removed
    /// text's page images are also purged from the index's WAL.
    func applyChanges(purge: Bool) async throws {
        let step = try await step(newTexts: 0)
        if purge, step.changed > 0 {
            _ = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
    }

    /// One transaction of the index: the changes recorded since the last
    /// step, then at most `newTexts` new messages, oldest first. The texts
    /// are read from the database inside the index's write, so that steps
    /// (the loop's, a search's, a recall's) never interleave.
    @discardableResult
    func step(newTexts limit: Int) async throws -> SearchIndexStep {
        let startedAt = ContinuousClock.now
        let outcome = try await pool.write { [self] db in try apply(db, newTexts: limit) }
        return finish(outcome, newTexts: limit, startedAt: startedAt)
    }

    /// `step` on the calling thread (the background loop's).
    private func stepNow(newTexts limit: Int) throws -> SearchIndexStep {
        let startedAt = ContinuousClock.now
        let outcome = try pool.write { [self] db in try apply(db, newTexts: limit) }
        return finish(outcome, newTexts: limit, startedAt: startedAt)
    }

    private typealias Outcome = (step: SearchIndexStep, appliedChange: Int64, indexedUpTo: Int64)

    private func apply(_ db: Database, newTexts limit: Int) throws -> Outcome {
        guard var index = try SearchIndexState.read(db) else { throw StorageError.searchIndexMissing }
        let work = try main.read { chat in
            try SearchIndexWork.read(chat, after: index, newTexts: limit)
        }
        // Nothing new (a search on an index that caught up): no page written.
        guard work.lastChange != nil || work.newUpTo != nil else {
            return (SearchIndexStep(indexed: 0, changed: 0, caughtUp: true), index.appliedChange, index.indexedUpTo)
        }
        let changed = try work.apply(db, indexedUpTo: index.indexedUpTo)
        index.indexedUpTo = max(index.indexedUpTo, work.newUpTo ?? index.indexedUpTo)
        index.appliedChange = max(index.appliedChange, work.lastChange ?? index.appliedChange)
        try db.execute(sql: "UPDATE search_state SET indexed_up_to = ?, applied_change = ? WHERE id = 1",
                       arguments: [index.indexedUpTo, index.appliedChange])
        return (SearchIndexStep(indexed: work.newTexts.count, changed: changed, caughtUp: !work.more),
                index.appliedChange, index.indexedUpTo)
    }

    private func finish(_ outcome: Outcome, newTexts limit: Int, startedAt: ContinuousClock.Instant) -> SearchIndexStep {
        applied.store(outcome.appliedChange, ordering: .relaxed)
        if limit > 0 {
            pacing.withLock { $0.stepped(caughtUp: outcome.step.caughtUp, startedAt: startedAt) }
            lag.record(outcome.step.caughtUp ? 0
                       : Double(nowMillisForIDs() - SnowflakeGenerator.millis(of: outcome.indexedUpTo)) / 1000)
        }
        return outcome.step
    }
}
