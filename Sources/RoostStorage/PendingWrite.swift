import GRDB

/// Thrown out of a batch's first attempt when an op without a savepoint
/// failed after it had written: that attempt is rolled back and replayed.
struct PartialWrite: Error {}

/// One queued write, whatever its value type. `run` inside the batch's
/// transaction and `noteCommitted` after its commit, on the writer's thread,
/// one at a time; then `committed` or `finish` hands the caller its outcome,
/// on the writer's thread or on the caller's `queue`. Subclasses keep the
/// op's value (`perform`) and give it to their caller (`answer`).
class PendingWrite: @unchecked Sendable {
    private let validatedFirst: Bool
    private let metrics: StorageMetrics
    /// Where the caller's completion runs; nil: resumed from the writer's thread.
    let queue: (any CompletionQueue)?
    private let enqueued = ContinuousClock.now
    /// The op ran to its end in the attempt that committed.
    private var succeeded = false
    private var failure: (any Error)?

    init(validatedFirst: Bool, metrics: StorageMetrics, queue: (any CompletionQueue)?) {
        self.validatedFirst = validatedFirst
        self.metrics = metrics
        self.queue = queue
    }

    /// Runs the op and keeps its value.
    func perform(_ db: Database, batch: WriteBatch) throws {}

    /// Resumes the caller: with the kept value when `error` is nil.
    func answer(_ error: (any Error)?) {}

    /// Runs the op inside the batch's transaction and keeps its outcome;
    /// throws `PartialWrite` when the attempt must be replayed.
    final func run(_ db: Database, batch: WriteBatch, guarded: Bool) throws {
        batch.beginOp()
        succeeded = false
        failure = nil
        if validatedFirst && !guarded {
            let changes = db.totalChangesCount
            do {
                try perform(db, batch: batch)
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
                try perform(db, batch: batch)
                return .commit
            }
            succeeded = true
            batch.endOp(committed: true)
        } catch {
            batch.endOp(committed: false)
            failure = error
        }
    }

    /// The batch committed (on the writer's thread): its metrics.
    final func noteCommitted() {
        if succeeded { metrics.recordWrite(duration: ContinuousClock.now - enqueued) }
    }

    /// The batch committed: resume the caller with the kept outcome.
    final func committed() {
        answer(succeeded ? nil : failure ?? StorageError.closed)
    }

    /// Resume the caller with `result` (an error when the batch failed).
    final func finish(_ result: Result<Void, any Error>) {
        switch result {
        case .success: committed()
        case .failure(let error): answer(error)
        }
    }
}

/// A write whose op returns any `T`. The overrides of a generic class run
/// unspecialized through the vtable (each call looks up the metadata of
/// `T?` and `Result<T, any Error>`): the write of a 1:1 message has a class
/// of its own (`SendWrite`).
final class TypedWrite<T: Sendable>: PendingWrite, @unchecked Sendable {
    private let op: @Sendable (Database, WriteBatch) throws -> T
    private let resume: @Sendable (Result<T, any Error>) -> Void
    private var value: T?

    init(op: @escaping @Sendable (Database, WriteBatch) throws -> T, validatedFirst: Bool, metrics: StorageMetrics,
         queue: (any CompletionQueue)? = nil, resume: @escaping @Sendable (Result<T, any Error>) -> Void) {
        self.op = op
        self.resume = resume
        super.init(validatedFirst: validatedFirst, metrics: metrics, queue: queue)
    }

    override func perform(_ db: Database, batch: WriteBatch) throws { value = try op(db, batch) }

    override func answer(_ error: (any Error)?) { resume(keptOutcome(value, error)) }
}

/// The write of a 1:1 message, `TypedWrite<SendOutcome>` without
/// the generic class's metadata lookups or the allocations of a type-erased
/// alternative (~3 % of the writer, three allocations per message).
final class SendWrite: PendingWrite, @unchecked Sendable {
    private let op: @Sendable (Database, WriteBatch) throws -> SendOutcome
    private let resume: @Sendable (Result<SendOutcome, any Error>) -> Void
    private var value: SendOutcome?

    init(op: @escaping @Sendable (Database, WriteBatch) throws -> SendOutcome, validatedFirst: Bool,
         metrics: StorageMetrics, queue: (any CompletionQueue)? = nil,
         resume: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) {
        self.op = op
        self.resume = resume
        super.init(validatedFirst: validatedFirst, metrics: metrics, queue: queue)
    }

    override func perform(_ db: Database, batch: WriteBatch) throws { value = try op(db, batch) }

    override func answer(_ error: (any Error)?) { resume(keptOutcome(value, error)) }
}

/// What a write's caller gets: `error`, else the kept value (none kept: the
/// writer closed before the op ran).
private func keptOutcome<T>(_ value: T?, _ error: (any Error)?) -> Result<T, any Error> {
    if let error { return .failure(error) }
    guard let value else { return .failure(StorageError.closed) }
    return .success(value)
}
