import Logging
import PostgresNIO
import RoostStorage
import Synchronization

/// Every write of a `PostgresStore` goes through here: one transaction per
/// operation, at most `maxConcurrent` of them at once, at most `maxPending`
/// waiting (beyond that `StorageError.overloaded`, as with SQLite).
///
/// Why not SQLite's one-transaction-per-batch: PostgreSQL already shares
/// fsyncs between concurrent commits (a WAL flush covers every commit record
/// before it), so a few concurrent transactions batch the expensive part
/// without one failing request rolling back its neighbours or savepoint round
/// trips per operation. Bounding the concurrency keeps row-lock queues on hot
/// heads short and leaves pool connections for reads. Deadlocks and
/// serialization failures (possible across nodes) are retried.
final class PostgresWriter: Sendable {
    struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, any Error>] = []
        var closed = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    private let client: PostgresClient
    private let logger: Logger
    private let maxConcurrent: Int
    private let maxPending: Int
    private let state = Mutex(State())
    private let committed = Atomic<Int>(0)

    /// Transactions committed so far.
    var committedTransactions: Int { committed.load(ordering: .relaxed) }

    init(client: PostgresClient, maxConcurrent: Int, maxPending: Int, logger: Logger) {
        self.client = client
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxPending = maxPending
        self.logger = logger
    }

    /// Runs `op` in its own transaction; returns after the commit.
    func write<T: Sendable>(_ op: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let value = try await transaction(op)
                committed.add(1, ordering: .relaxed)
                return value
            } catch let error where attempt < 5 && Self.isRetryable(error) {
                logger.debug("retrying a write", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(attempt * attempt))
            }
        }
    }

    /// Stops taking writes and waits for the running and queued ones.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                s.closed = true
                if s.running == 0 { return true }
                s.idle.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func transaction<T: Sendable>(_ op: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { [logger] connection in
                try await op(Database(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            // The error that matters to the caller: the operation's own (a RoostError), else the database's.
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Failures that a second try of the same operation may not meet: lock
    /// cycles between transactions, and two retries of one request racing to
    /// record it (the second then finds the first and answers as a duplicate).
    static func isRetryable(_ error: any Error) -> Bool {
        switch SQLState.of(error) {
        case SQLState.deadlockDetected, SQLState.serializationFailure: true
        case SQLState.uniqueViolation: SQLState.constraint(of: error) == "sends_pkey"
        default: false
        }
    }

    private func acquire() async throws {
        enum Decision { case run, wait, reject(StorageError) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let decision = state.withLock { s -> Decision in
                if s.closed { return .reject(.closed) }
                if s.running < maxConcurrent {
                    s.running += 1
                    return .run
                }
                if s.waiting.count >= maxPending { return .reject(.overloaded) }
                s.waiting.append(continuation)
                return .wait
            }
            switch decision {
            case .run: continuation.resume()
            case .wait: break
            case .reject(let error): continuation.resume(throwing: error)
            }
        }
    }

    /// Hands the slot to the next waiter (queued writes still run after close), or frees it.
    private func release() {
        let (next, idle) = state.withLock { s -> (CheckedContinuation<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
            if !s.waiting.isEmpty { return (s.waiting.removeFirst(), []) }
            s.running -= 1
            guard s.running == 0, s.closed else { return (nil, []) }
            let idle = s.idle
            s.idle = []
            return (nil, idle)
        }
        next?.resume()
        for waiter in idle { waiter.resume() }
    }
}
