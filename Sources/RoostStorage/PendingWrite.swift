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

/// A write whose op returns a `T`, kept for its caller. The class is not
/// generic: methods of a generic class run unspecialized through its vtable,
/// and looked up the metadata of `Result<T, any Error>` on every call (~3 %
/// of the writer's time). The initializer is generic and builds two closures
/// that know `T`: one runs the op and keeps its value, one answers the caller.
final class TypedWrite: PendingWrite, @unchecked Sendable {
    /// Runs the op, keeping its value for `answer`.
    private let perform: (Database, WriteBatch) throws -> Void
    /// Resumes the caller: with the kept value when `error` is nil.
    private let answer: (_ error: (any Error)?) -> Void
    private let validatedFirst: Bool
    private let completionQueue: (any CompletionQueue)?
    private let metrics: StorageMetrics
    private let enqueued = ContinuousClock.now
    /// The op ran to its end in the attempt that committed.
    private var succeeded = false
    private var failure: (any Error)?

    init<T: Sendable>(op: @escaping @Sendable (Database, WriteBatch) throws -> T, validatedFirst: Bool,
                      metrics: StorageMetrics, queue: (any CompletionQueue)? = nil,
                      resume: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let kept = KeptValue<T>()
        perform = { db, batch in kept.value = try op(db, batch) }
        answer = { error in
            if let error {
                resume(.failure(error))
            } else if let value = kept.value {
                resume(.success(value))
            } else {
                resume(.failure(StorageError.closed))
            }
        }
        self.validatedFirst = validatedFirst
        self.completionQueue = queue
        self.metrics = metrics
    }

    override var queue: (any CompletionQueue)? { completionQueue }

    override func run(_ db: Database, batch: WriteBatch, guarded: Bool) throws {
        batch.beginOp()
        succeeded = false
        failure = nil
        if validatedFirst && !guarded {
            let changes = db.totalChangesCount
            do {
                try perform(db, batch)
                succeeded = true
                batch.endOp(committed: true)
            } catch {
                batch.endOp(committed: false)
                // Written, then failed: only a rollback can undo it.
                if db.totalChangesCount != changes { throw PartialWrite() }
                failure = error
            }
            return
        }
        do {
            try db.inSavepoint {
                try perform(db, batch)
                return .commit
            }
            succeeded = true
            batch.endOp(committed: true)
        } catch {
            batch.endOp(committed: false)
            failure = error
        }
    }

    override func committed() {
        answer(succeeded ? nil : failure ?? StorageError.closed)
    }

    override func noteCommitted() {
        if succeeded { metrics.recordWrite(duration: ContinuousClock.now - enqueued) }
    }

    override func finish(_ result: Result<Void, any Error>) {
        switch result {
        case .success: committed()
        case .failure(let error): answer(error)
        }
    }
}

/// What an op returned, between its run and its caller's answer (one thread
/// at a time: the writer's, then the completion's after the hand-off).
private final class KeptValue<T>: @unchecked Sendable {
    var value: T?
}
