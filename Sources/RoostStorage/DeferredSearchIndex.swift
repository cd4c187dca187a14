import GRDB
import Logging
import Synchronization

/// What one call of `SQLiteStore.indexDeferredTexts` did.
struct DeferredIndexing: Sendable, Equatable {
    /// Texts added to the full-text index.
    var indexed: Int
    /// Whether every committed message's text is indexed now.
    var caughtUp: Bool
}

/// Full-text indexing off the send path. FTS5 writes a segment per
/// transaction and merges segments as they pile up, so indexing each batch
/// of messages as it commits cost a send more than its inbox rows at low
/// load (`roost bench`, issue 9). A message's text is indexed instead once
/// `interval` has passed since the index last caught up, in bulk, by the
/// writer while no write waits (`IdleWork`): at most `chunk` messages per
/// transaction, chunks at least a twentieth of the interval apart. A search
/// first indexes whatever is waiting, so it never misses a committed message.
///
/// A second of texts indexed in one batch's transaction held that batch's
/// messages, and every one queued behind it, for ~20 ms once a second: most
/// of the p99 at an offered 5,000 msgs/s. A writer that is never idle (full
/// load) still indexes: once texts have waited twice the interval, each
/// batch takes a chunk too. A zero interval indexes everything with every
/// batch.
final class DeferredSearchIndex: Sendable {
    private struct State {
        var caughtUpAt: ContinuousClock.Instant = .now
        var catchingUp = false
        var lastStep: ContinuousClock.Instant = .now
        /// A batch committed since the index last caught up: without one
        /// there is nothing to index, and an idle writer stops.
        var written = true
    }

    private let interval: Duration
    private let chunk: Int
    private let state = Mutex(State())
    private let logger: Logger

    init(interval: Duration, chunk: Int, logger: Logger) {
        self.interval = interval
        self.chunk = max(chunk, 1)
        self.logger = logger
    }

    /// The steps the writer takes between batches (none with a zero interval).
    var idleWork: IdleWork? {
        guard interval > .zero else { return nil }
        return IdleWork(isDue: { [self] in idleStepDue() }, step: { [self] db in index(db, limit: chunk) })
    }

    /// Called by the writer inside each batch's transaction, after its
    /// operations: indexes only what the idle steps left waiting too long.
    func maintain(_ db: Database) {
        let now = ContinuousClock.now
        let overdue = state.withLock { s in
            s.written = true
            return now - s.caughtUpAt >= interval * 2
        }
        if interval == .zero {
            index(db, limit: nil)
        } else if overdue {
            index(db, limit: chunk)
        }
    }

    /// Once `interval` has passed, then chunk after chunk at least
    /// `interval / 20` apart: a second's texts are spread over the next
    /// second instead of taking the writer for one long stretch.
    private func idleStepDue() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard s.written else { return false }
            return s.catchingUp ? now - s.lastStep >= interval / 20 : now - s.caughtUpAt >= interval
        }
    }

    /// A failure leaves the texts for the next attempt and never fails the
    /// transaction it runs in.
    private func index(_ db: Database, limit: Int?) {
        let now = ContinuousClock.now
        do {
            var outcome = DeferredIndexing(indexed: 0, caughtUp: true)
            try db.inSavepoint {
                outcome = try SQLiteStore.indexDeferredTexts(db: db, limit: limit)
                return .commit
            }
            state.withLock {
                $0.lastStep = now
                $0.catchingUp = !outcome.caughtUp
                if outcome.caughtUp {
                    $0.caughtUpAt = now
                    $0.written = false
                }
            }
        } catch {
            logger.warning("indexing message texts for search failed", metadata: ["error": "\(error)"])
        }
    }
}
