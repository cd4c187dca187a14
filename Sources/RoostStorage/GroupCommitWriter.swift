import Dispatch
import GRDB
import Synchronization

/// The one writer: every write of the process goes through here and concurrent
/// writes share one transaction (group commit), so N messages cost one fsync.
///
/// One failing request does not roll back the others in its batch, and
/// callers resume only after the commit. An operation normally runs in its
/// own savepoint. One that makes every check that can refuse it before its
/// first write (`validatedFirst`: the sends) runs without one, since a
/// refusal then leaves nothing to undo; should it still fail after writing
/// (disk full, an I/O error), the transaction is rolled back and the batch
/// runs again with a savepoint per operation, so the others still commit.
/// While a batch commits, new operations queue and form the next batch.
/// Operations run in the order they were enqueued, in a replay too: writes
/// commit in submission order (`SQLiteStore.commitsInSubmissionOrder`).
///
/// Batches run on a thread of the writer's own, which goes straight from one
/// commit to the next and resumes each caller from there: a drain as a task
/// paid two thread hand-offs per commit (to GRDB's queue and back), each a
/// wake-up and, with both cores busy, a wait for one (issue 9's open loop).
final class GroupCommitWriter: Sendable {
    struct State {
        var ops: [PendingWrite] = []
        var cursors: [DeviceKey: Int64] = [:]
        /// Cursor moves taken by the batch now committing: still "not yet
        /// written" for readers until that commit ends.
        var committingCursors: [DeviceKey: Int64] = [:]
        var draining = false
        /// A drain for cursor moves alone is due after `cursorFlushDelay`.
        var cursorFlushScheduled = false
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
    private let cursorFlushDelay: Duration
    private let metrics: StorageMetrics
    private let batches = Atomic<Int>(0)
    private let replays = Atomic<Int>(0)
    private let walRestartDue = Atomic<Bool>(false)
    private let walRestarts = Atomic<Int>(0)
    /// Signalled when a drain is due (`State.draining` turned on) and on close.
    private let wake = DispatchSemaphore(value: 0)

    /// Transactions committed so far (tests check that writes share them).
    var committedBatches: Int { batches.load(ordering: .relaxed) }
    /// Batches run a second time with a savepoint per operation (tests).
    var replayedBatches: Int { replays.load(ordering: .relaxed) }
    /// Checkpoints finished between batches for `requestWALRestart` (tests).
    var walRestartCheckpoints: Int { walRestarts.load(ordering: .relaxed) }

    /// A background checkpoint copied a WAL past its size limit: after the
    /// next batch, copy what was committed since, so that the batch after
    /// writes the WAL from its beginning (`WALCheckpointer`).
    func requestWALRestart() {
        walRestartDue.store(true, ordering: .relaxed)
    }

    init(pool: DatabasePool, heads: HeadCache, maxBatch: Int, maxPending: Int, metrics: StorageMetrics,
         cursorFlushDelay: Duration = .milliseconds(250)) {
        self.cursorFlushDelay = cursorFlushDelay
        self.pool = pool
        self.heads = heads
        self.maxBatch = maxBatch
        self.maxPending = maxPending
        self.metrics = metrics
        startStoreThread(named: "roost-writer") { [weak self, wake] in Self.runThread(writer: { self }, wake: wake) }
    }

    /// The writer thread: sleeps until a drain is due, drains, and ends once
    /// the writer is closed (or gone: a store that was never closed).
    private static func runThread(writer: () -> GroupCommitWriter?, wake: DispatchSemaphore) {
        while true {
            let signalled = wake.wait(timeout: .now() + .seconds(5)) == .success
            guard let writer = writer() else { return }
            if signalled, writer.drain() { return }
        }
    }

    /// Runs `op` in the next batch and returns its value after the batch commits.
    ///
    /// `validatedFirst`: `op` throws only before its first write, or for a
    /// failure of the database itself; it then runs without a savepoint.
    nonisolated(nonsending) func write<T: Sendable>(validatedFirst: Bool = false,
                            _ op: @escaping @Sendable (Database, WriteBatch) throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<T, any Error>) in
            enqueue(TypedWrite(op: op, validatedFirst: validatedFirst, metrics: metrics) { continuation.resume(with: $0) })
        }
    }

    /// Runs `op` in the next batch and calls `completion` with its value on
    /// `queue` once the batch committed (or with the error).
    ///
    /// For a caller that is not a task waiting for the commit: a resumed
    /// continuation runs its task on the global pool first, which then hops
    /// to the caller's actor (a thread wake-up and a second job per write,
    /// and writes of one actor resumed there in any order). `completion`
    /// hands the outcome to the caller's own executor instead.
    func submit<T: Sendable>(validatedFirst: Bool = false, _ op: @escaping @Sendable (Database, WriteBatch) throws -> T,
                             on queue: any CompletionQueue,
                             completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        enqueue(TypedWrite(op: op, validatedFirst: validatedFirst, metrics: metrics, queue: queue, resume: completion))
    }

    /// `write` for a 1:1 message: a `SendWrite` (see there).
    nonisolated(nonsending) func writeSend(validatedFirst: Bool = false,
                                           _ op: @escaping @Sendable (Database, WriteBatch) throws -> SendOutcome)
        async throws -> SendOutcome {
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<SendOutcome, any Error>) in
            enqueue(SendWrite(op: op, validatedFirst: validatedFirst, metrics: metrics) { continuation.resume(with: $0) })
        }
    }

    /// `submit` for a 1:1 message: a `SendWrite` (see there).
    func submitSend(validatedFirst: Bool = false,
                    _ op: @escaping @Sendable (Database, WriteBatch) throws -> SendOutcome,
                    on queue: any CompletionQueue,
                    completion: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) {
        enqueue(SendWrite(op: op, validatedFirst: validatedFirst, metrics: metrics, queue: queue, resume: completion))
    }

    /// Records a cursor move; written with the next batch.
    ///
    /// A cursor move waits for the next batch of writes, or at most
    /// `cursorFlushDelay`: a device's ack needs no transaction (and fsync) of
    /// its own, and losing the latest one in a crash only causes a redelivery.
    func setCursor(user: Int64, device: String, to seq: Int64) {
        let schedule = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.cursors[DeviceKey(user: user, device: device)] = seq
            guard !s.draining, !s.cursorFlushScheduled else { return false }
            s.cursorFlushScheduled = true
            return true
        }
        guard schedule else { return }
        let delay = cursorFlushDelay
        Task {
            try? await Task.sleep(for: delay)
            let start = self.state.withLock { s -> Bool in
                s.cursorFlushScheduled = false
                guard !s.cursors.isEmpty else { return false }
                return self.startDrainIfIdle(&s)
            }
            if start { self.wake.signal() }
        }
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
                s.draining = true
                return false
            }
            // Wakes the thread to drain what is queued, or just to end.
            wake.signal()
            if done { continuation.resume() }
        }
    }

    private func enqueue(_ op: PendingWrite) {
        enum Action { case start, none, reject(any Error) }
        let action = state.withLock { s -> Action in
            if s.closed { return .reject(StorageError.closed) }
            if s.ops.count >= maxPending { return .reject(StorageError.overloaded) }
            s.ops.append(op)
            metrics.recordQueueDepth(s.ops.count)
            return startDrainIfIdle(&s) ? .start : .none
        }
        switch action {
        case .start: wake.signal()
        case .none: break
        case .reject(let error): Self.complete([op]) { $0.finish(.failure(error)) }
        }
    }

    private func startDrainIfIdle(_ s: inout State) -> Bool {
        if s.draining { return false }
        s.draining = true
        return true
    }

    private enum DrainStep {
        case batch([PendingWrite], [DeviceKey: Int64])
        case done(closed: Bool)
    }

    /// Commits batches on the writer thread until none is queued; returns
    /// whether the writer is closed (the thread then ends).
    private func drain() -> Bool {
        while true {
            let step = state.withLock { s -> DrainStep in
                if s.ops.isEmpty && s.cursors.isEmpty {
                    s.draining = false
                    let waiters = s.drainFinished
                    s.drainFinished = []
                    for w in waiters { w.resume() }
                    return .done(closed: s.closed)
                }
                var ops: [PendingWrite] = []
                if s.ops.count <= maxBatch {
                    swap(&ops, &s.ops)
                } else {
                    ops = Array(s.ops.prefix(maxBatch))
                    s.ops.removeFirst(maxBatch)
                }
                metrics.recordQueueDepth(s.ops.count)
                let cursors = s.cursors
                s.cursors = [:]
                s.committingCursors = cursors
                return .batch(ops, cursors)
            }
            switch step {
            case .done(let closed):
                return closed
            case .batch(let ops, let cursors):
                commit(ops: ops, cursors: cursors)
                state.withLock { $0.committingCursors = [:] }
                if walRestartDue.exchange(false, ordering: .relaxed) { finishCheckpoint() }
            }
        }
    }

    private func commit(ops: [PendingWrite], cursors: [DeviceKey: Int64]) {
        let started = ContinuousClock.now
        do {
            var batch = WriteBatch(heads: heads)
            do {
                try transaction { [batch] db in
                    try Self.run(ops, cursors: cursors, batch: batch, db: db, guarded: false)
                }
            } catch is PartialWrite {
                replays.add(1, ordering: .relaxed)
                batch = WriteBatch(heads: heads)
                try transaction { [batch] db in
                    try Self.run(ops, cursors: cursors, batch: batch, db: db, guarded: true)
                }
            }
            heads.merge(batch.committedHeads)
            batches.add(1, ordering: .relaxed)
            metrics.recordBatch(size: ops.count, duration: ContinuousClock.now - started)
            for op in ops { op.noteCommitted() }
            Self.complete(ops) { $0.committed() }
        } catch {
            metrics.recordBatchFailure()
            Self.complete(ops) { $0.finish(.failure(error)) }
        }
    }

    /// `body` in one IMMEDIATE transaction begun and ended through cached
    /// statements. `DatabaseWriter.write` prepared `BEGIN` and `COMMIT` anew
    /// for every batch, with GRDB's SQL generation around each: ~8 % of the
    /// writer's time when batches are small (an open loop at 5,000 msgs/s
    /// commits ~1,700 times a second).
    private func transaction(_ body: (Database) throws -> Void) throws {
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                try body(db)
                try db.cachedStatement(sql: "COMMIT").execute()
            } catch {
                // A failed op, or a failed commit: nothing of the batch stays.
                if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
                throw error
            }
        }
    }

    /// Calls `finish` for every op: at once for a caller waiting in a task
    /// (its continuation), on its queue for the others, with one `run` per
    /// queue holding its ops in commit order.
    private static func complete(_ ops: [PendingWrite], _ finish: @escaping @Sendable (PendingWrite) -> Void) {
        var queued: [ObjectIdentifier: (queue: any CompletionQueue, work: [@Sendable () -> Void])] = [:]
        var order: [ObjectIdentifier] = []
        for op in ops {
            guard let queue = op.queue else {
                finish(op)
                continue
            }
            let key = ObjectIdentifier(queue)
            if queued[key] == nil {
                order.append(key)
                queued[key] = (queue, [])
            }
            queued[key]!.work.append { finish(op) }
        }
        for key in order {
            let group = queued[key]!
            group.queue.run(group.work)
        }
    }

    /// A PASSIVE checkpoint on the writer's connection, between batches: no
    /// commit can land while it copies, so it copies every frame, and the
    /// next commit starts the WAL over (unless a reader still holds a
    /// snapshot in it; the checkpointer then asks again).
    private func finishCheckpoint() {
        let started = ContinuousClock.now
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            metrics.recordWALRestart(duration: ContinuousClock.now - started)
            walRestarts.add(1, ordering: .relaxed)
        } catch {
            // Busy or failing: the WAL keeps growing until the next request.
        }
    }

    /// One attempt at the batch's transaction: the cursor moves, then every op.
    private static func run(_ ops: [PendingWrite], cursors: [DeviceKey: Int64], batch: WriteBatch, db: Database,
                            guarded: Bool) throws {
        if !cursors.isEmpty {
            let upsert = try BoundStatement(db, """
                INSERT INTO devices (user_id, name, acked_seq) VALUES (?, ?, ?)
                ON CONFLICT (user_id, name) DO UPDATE SET acked_seq = excluded.acked_seq
                """)
            for (key, seq) in cursors {
                upsert.bind(1, key.user)
                upsert.bind(2, key.device)
                upsert.bind(3, seq)
                try upsert.execute()
            }
        }
        for op in ops { try op.run(db, batch: batch, guarded: guarded) }
    }
}
