import GRDB
import Synchronization

/// Reads that every new connection makes (its user, its session start) share
/// one reader transaction when they arrive together. Each read on its own
/// took a GRDB reader (a semaphore, a dispatch queue hop, a transaction);
/// during a burst of connections those hops, and the threads parked on the
/// reader semaphore, cost more than the reads themselves (`roost bench idle`,
/// docs/benchmarks.md). Reads queue while one batch runs and form the next,
/// as writes do in `GroupCommitWriter`; a read alone still runs at once.
final class ReadBatcher: Sendable {
    private struct State {
        var queue: [PendingRead] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let maxBatch: Int
    private let state = Mutex(State())
    private let transactions = Atomic<Int>(0)

    /// Read transactions run so far, and reads waiting for the next (tests).
    var batchesRun: Int { transactions.load(ordering: .relaxed) }
    var waiting: Int { state.withLock { $0.queue.count } }

    init(pool: DatabasePool, maxBatch: Int = 64) {
        self.pool = pool
        self.maxBatch = max(maxBatch, 1)
    }

    /// Runs `body` in the next batch's read transaction; one read's failure
    /// is its own.
    nonisolated(nonsending) func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
            let start = state.withLock { s -> Bool in
                s.queue.append(TypedRead(body: body, continuation: continuation))
                if s.draining { return false }
                s.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [PendingRead] in
                let count = min(s.queue.count, maxBatch)
                if count == 0 { s.draining = false }
                defer { s.queue.removeFirst(count) }
                return Array(s.queue.prefix(count))
            }
            if batch.isEmpty { return }
            do {
                try await pool.read { db in
                    for read in batch { read.run(db) }
                }
                transactions.add(1, ordering: .relaxed)
                for read in batch { read.finish() }
            } catch {
                for read in batch { read.fail(error) }
            }
        }
    }
}

/// One queued read, whatever its value type: run inside the batch's
/// transaction, resumed after it.
private class PendingRead: @unchecked Sendable {
    func run(_ db: Database) {}
    func finish() {}
    func fail(_ error: any Error) {}
}

private final class TypedRead<T: Sendable>: PendingRead, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: UnsafeContinuation<T, any Error>
    private var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: UnsafeContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    override func run(_ db: Database) {
        outcome = Result { try body(db) }
    }

    override func finish() {
        continuation.resume(with: outcome ?? .failure(StorageError.closed))
    }

    override func fail(_ error: any Error) {
        continuation.resume(throwing: error)
    }
}
