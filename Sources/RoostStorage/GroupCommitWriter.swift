import GRDB
import Synchronization

/// The one writer: every write of the process goes through here and concurrent
/// writes share one transaction (group commit), so N messages cost one fsync.
///
/// Each operation runs in its own savepoint, so one failing request does not
/// roll back the others in its batch; callers resume only after the commit.
/// While a batch commits, new operations queue and form the next batch.
final class GroupCommitWriter: Sendable {
    typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    struct PendingOp: Sendable {
        /// Runs the op; returns what to do once the batch's commit result is known.
        let execute: @Sendable (Database, WriteBatch) -> Completion
        let fail: @Sendable (any Error) -> Void
    }

    struct State {
        var ops: [PendingOp] = []
        var cursors: [DeviceKey: Int64] = [:]
        /// Cursor moves taken by the batch now committing: still "not yet
        /// written" for readers until that commit ends.
        var committingCursors: [DeviceKey: Int64] = [:]
        var draining = false
        var closed = false
        var drainFinished: [CheckedContinuation<Void, Never>] = []
    }

    struct DeviceKey: Hashable, Sendable {
        let user: Int64
        let device: String
    }

    private let pool: DatabasePool
    private let heads: HeadCache
    private let state = Mutex(State())
    private let maxBatch: Int
    private let maxPending: Int
    private let metrics: StorageMetrics
    private let batches = Atomic<Int>(0)

    /// Transactions committed so far (tests check that writes share them).
    var committedBatches: Int { batches.load(ordering: .relaxed) }

    init(pool: DatabasePool, heads: HeadCache, maxBatch: Int, maxPending: Int, metrics: StorageMetrics) {
        self.pool = pool
        self.heads = heads
        self.maxBatch = maxBatch
        self.maxPending = maxPending
        self.metrics = metrics
    }

    /// Runs `op` in the next batch and returns its value after the batch commits.
    nonisolated(nonsending) func write<T: Sendable>(_ op: @escaping @Sendable (Database, WriteBatch) throws -> T) async throws -> T {
        let enqueued = ContinuousClock.now
        let metrics = metrics
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = PendingOp(
                execute: { db, batch in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            batch.beginOp()
                            value = try op(db, batch)
                            return .commit
                        }
                        batch.endOp(committed: true)
                        let result = value!
                        return { commit in
                            switch commit {
                            case .success:
                                metrics.recordWrite(duration: ContinuousClock.now - enqueued)
                                continuation.resume(returning: result)
                            case .failure(let error): continuation.resume(throwing: error)
                            }
                        }
                    } catch {
                        batch.endOp(committed: false)
                        return { _ in continuation.resume(throwing: error) }
                    }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            enqueue(pending)
        }
    }

    /// Records a cursor move; written with the next batch.
    func setCursor(user: Int64, device: String, to seq: Int64) {
        let start = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.cursors[DeviceKey(user: user, device: device)] = seq
            return startDrainIfIdle(&s)
        }
        if start { Task { await self.drain() } }
    }

    /// A cursor move not yet written, if any.
    func pendingCursor(user: Int64, device: String) -> Int64? {
        state.withLock { s in
            let key = DeviceKey(user: user, device: device)
            return s.cursors[key] ?? s.committingCursors[key]
        }
    }

    /// Stops taking writes, waits for queued ones to commit.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                s.closed = true
                if !s.draining && s.ops.isEmpty && s.cursors.isEmpty { return true }
                s.drainFinished.append(continuation)
                if !s.draining {
                    s.draining = true
                    Task { await self.drain() }
                }
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func enqueue(_ op: PendingOp) {
        enum Action { case start, none, reject(any Error) }
        let action = state.withLock { s -> Action in
            if s.closed { return .reject(StorageError.closed) }
            if s.ops.count >= maxPending { return .reject(StorageError.overloaded) }
            s.ops.append(op)
            metrics.recordQueueDepth(s.ops.count)
            return startDrainIfIdle(&s) ? .start : .none
        }
        switch action {
        case .start: Task { await self.drain() }
        case .none: break
        case .reject(let error): op.fail(error)
        }
    }

    private func startDrainIfIdle(_ s: inout State) -> Bool {
        if s.draining { return false }
        s.draining = true
        return true
    }

    private func drain() async {
        while true {
            let taken = state.withLock { s -> ([PendingOp], [DeviceKey: Int64])? in
                if s.ops.isEmpty && s.cursors.isEmpty {
                    s.draining = false
                    let waiters = s.drainFinished
                    s.drainFinished = []
                    for w in waiters { w.resume() }
                    return nil
                }
                let n = min(maxBatch, s.ops.count)
                let ops = Array(s.ops.prefix(n))
                s.ops.removeFirst(n)
                metrics.recordQueueDepth(s.ops.count)
                let cursors = s.cursors
                s.cursors = [:]
                s.committingCursors = cursors
                return (ops, cursors)
            }
            guard let (ops, cursors) = taken else { return }
            await commit(ops: ops, cursors: cursors)
            state.withLock { $0.committingCursors = [:] }
        }
    }

    private func commit(ops: [PendingOp], cursors: [DeviceKey: Int64]) async {
        let batch = WriteBatch(heads: heads)
        let started = ContinuousClock.now
        do {
            let completions = try await pool.write { db -> [Completion] in
                if !cursors.isEmpty {
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO devices (user_id, name, acked_seq) VALUES (?, ?, ?)
                        ON CONFLICT (user_id, name) DO UPDATE SET acked_seq = excluded.acked_seq
                        """)
                    for (key, seq) in cursors {
                        try statement.execute(arguments: [key.user, key.device, seq])
                    }
                }
                return ops.map { $0.execute(db, batch) }
            }
            heads.merge(batch.committedHeads)
            batches.add(1, ordering: .relaxed)
            metrics.recordBatch(size: ops.count, duration: ContinuousClock.now - started)
            for completion in completions { completion(.success(())) }
        } catch {
            metrics.recordBatchFailure()
            for op in ops { op.fail(error) }
        }
    }
}
