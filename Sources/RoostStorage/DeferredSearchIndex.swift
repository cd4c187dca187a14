import GRDB
import Logging
import Synchronization

/// Full-text indexing off the send path. FTS5 writes a segment per
/// transaction and merges segments as they pile up, so indexing each batch
/// of messages as it commits cost a send more than its inbox rows at low
/// load (`roost bench`, issue 9). A message's text is indexed instead by
/// the first batch that commits at least `interval` after the last
/// indexing, for every message since, in the same transaction; a search
/// first indexes whatever is waiting, so it never misses a committed message.
final class DeferredSearchIndex: Sendable {
    private let interval: Duration
    private let lastRun = Mutex<ContinuousClock.Instant>(.now)
    private let logger: Logger

    init(interval: Duration, logger: Logger) {
        self.interval = interval
        self.logger = logger
    }

    /// Called by the writer inside each batch's transaction, after its
    /// operations. A failure leaves the texts for the next attempt and
    /// never fails the batch.
    func maintain(_ db: Database) {
        let now = ContinuousClock.now
        guard lastRun.withLock({ now - $0 >= interval }) else { return }
        do {
            try db.inSavepoint {
                try SQLiteStore.indexDeferredTexts(db: db)
                return .commit
            }
            lastRun.withLock { $0 = now }
        } catch {
            logger.warning("indexing message texts for search failed", metadata: ["error": "\(error)"])
        }
    }
}
