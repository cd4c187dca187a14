import Foundation
import GRDB
@testable import RoostStorage
import Synchronization
import Testing

/// The writer's idle steps (search indexing) run in transactions of their
/// own while no write waits, never inside a batch, and stop once not due.
@Suite("SQLite group commit idle work")
struct GroupCommitIdleWorkTests {
    @Test(.timeLimit(.minutes(1))) func idleStepsRunBetweenBatchesAndStopWhenNotDue() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
        let pool = try DatabasePool(path: path)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (v TEXT NOT NULL)") }
        let remaining = Mutex(3)
        let (allStepsTaken, stepsTaken) = AsyncStream.makeStream(of: Void.self)
        let idle = IdleWork(isDue: { remaining.withLock { $0 > 0 } }, step: { db in
            try? db.execute(sql: "INSERT INTO t VALUES ('step')")
            if remaining.withLock({ $0 -= 1; return $0 }) == 0 { stepsTaken.finish() }
        })
        let writer = GroupCommitWriter(pool: pool, heads: HeadCache(), maxBatch: 100, maxPending: 100,
                                       metrics: StorageMetrics(), idleWork: idle)

        try await writer.write { db, _ in try db.execute(sql: "INSERT INTO t VALUES ('first')") }
        for await _ in allStepsTaken {}
        // Queued behind the last step; the writer drains and stops after it.
        try await writer.write { db, _ in try db.execute(sql: "INSERT INTO t VALUES ('second')") }

        let rows = try await pool.read { db in try String.fetchAll(db, sql: "SELECT v FROM t ORDER BY rowid") }
        #expect(rows == ["first", "step", "step", "step", "second"])
        #expect(writer.committedBatches == 2, "steps are not batches: each write had its own")
        await writer.close()
        try pool.close()
    }
}
