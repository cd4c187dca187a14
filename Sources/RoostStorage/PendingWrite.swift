import GRDB

/// Thrown out of a batch's first attempt when an op without a savepoint
/// failed after it had written: that attempt is rolled back and replayed.
struct PartialWrite: Error {}

/// One queued write, whatever its value type. `run` inside the batch's
/// transaction and `noteCommitted` after its commit, on the writer's thread,
/// one at a time; then `committed` or `finish` hands the caller its outcome,
/// on the writer's thread or on the caller's `queue`.
class PendingWrite: @unchecked Sendable {
    /// Where the caller's completion runs; nil: resumed from the writer's thread.
    var queue: (any CompletionQueue)? { nil }
    /// Runs the op inside the batch's transaction and keeps its outcome;
    /// throws `PartialWrite` when the attempt must be replayed.
    func run(_ db: Database, batch: WriteBatch, guarded: Bool) throws {}
    /// The batch committed (on the writer's thread): its metrics.
    func noteCommitted() {}
    /// The batch committed: resume the caller with the kept outcome.
    func committed() {}
    /// Resume the caller with `result` (an error when the batch failed).
    func finish(_ result: Result<Void, any Error>) {}
}

final class TypedWrite<T: Sendable>: PendingWrite, @unchecked Sendable {
    private let op: @Sendable (Database, WriteBatch) throws -> T
    private let validatedFirst: Bool
    /// The caller's continuation, or its completion handler (run on `completionQueue`).
    private let resume: @Sendable (Result<T, any Error>) -> Void
    private let completionQueue: (any CompletionQueue)?
    private let metrics: StorageMetrics
    private let enqueued = ContinuousClock.now
    private var outcome: Result<T, any Error>?

    init(op: @escaping @Sendable (Database, WriteBatch) throws -> T, validatedFirst: Bool, metrics: StorageMetrics,
         queue: (any CompletionQueue)? = nil, resume: @escaping @Sendable (Result<T, any Error>) -> Void) {
        self.op = op
        self.validatedFirst = validatedFirst
        self.resume = resume
        self.completionQueue = queue
        self.metrics = metrics
    }

    override var queue: (any CompletionQueue)? { completionQueue }

    override func run(_ db: Database, batch: WriteBatch, guarded: Bool) throws {
        batch.beginOp()
        if validatedFirst && !guarded {
            let changes = db.totalChangesCount
            do {
                outcome = .success(try op(db, batch))
                batch.endOp(committed: true)
            } catch {
                batch.endOp(committed: false)
                // Written, then failed: only a rollback can undo it.
                if db.totalChangesCount != changes { throw PartialWrite() }
                outcome = .failure(error)
            }
            return
        }
        do {
            var value: T?
            try db.inSavepoint {
                value = try op(db, batch)
                return .commit
            }
            batch.endOp(committed: true)
            outcome = .success(value!)
        } catch {
            batch.endOp(committed: false)
            outcome = .failure(error)
        }
    }

    override func committed() {
        switch outcome {
        case .success(let value):
            resume(.success(value))
        case .failure(let error):
            resume(.failure(error))
        case nil:
            resume(.failure(StorageError.closed))
        }
    }

    override func noteCommitted() {
        if case .success = outcome { metrics.recordWrite(duration: ContinuousClock.now - enqueued) }
    }

    override func finish(_ result: Result<Void, any Error>) {
        switch result {
        case .success: committed()
        case .failure(let error): resume(.failure(error))
        }
    }
}
