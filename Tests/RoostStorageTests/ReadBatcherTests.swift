import Foundation
import GRDB
@testable import RoostStorage
import Testing

/// Reads that arrive while a batch runs share the next read transaction;
/// each gets its own value, and one read's failure stays its own.
@Suite("SQLite read batches")
struct ReadBatcherTests {
    static func pool() throws -> DatabasePool {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-reads-\(UUID().uuidString).sqlite").path
        let pool = try DatabasePool(path: path)
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (v INTEGER NOT NULL); INSERT INTO t VALUES (7)") }
        return pool
    }

    /// Starts a read that holds its batch's transaction until `release` is signalled.
    static func holdFirstBatch(_ reads: ReadBatcher, release: DispatchSemaphore) async -> Task<Int, any Error> {
        let (entered, entering) = AsyncStream.makeStream(of: Void.self)
        let held = Task {
            try await reads.read { db in
                entering.yield()
                release.wait()
                return try Int.fetchOne(db, sql: "SELECT v FROM t") ?? -1
            }
        }
        for await _ in entered { break }
        return held
    }

    static func waitUntilQueued(_ reads: ReadBatcher, _ count: Int) async {
        while reads.waiting < count { await Task.yield() }
    }

    @Test(.timeLimit(.minutes(1))) func readsQueuedMeanwhileShareOneTransaction() async throws {
        let pool = try Self.pool()
        let reads = ReadBatcher(pool: pool)
        let release = DispatchSemaphore(value: 0)
        let first = await Self.holdFirstBatch(reads, release: release)
        let others = (1...40).map { (n: Int) in
            Task { try await reads.read { db in try Int.fetchOne(db, sql: "SELECT v + \(n) FROM t") ?? -1 } }
        }
        await Self.waitUntilQueued(reads, 40)
        release.signal()
        #expect(try await first.value == 7)
        for (index, read) in others.enumerated() {
            #expect(try await read.value == 7 + index + 1)
        }
        #expect(reads.batchesRun == 2, "the first read's batch, then all forty in one")
        try pool.close()
    }

    @Test(.timeLimit(.minutes(1))) func aFailingReadFailsAlone() async throws {
        let pool = try Self.pool()
        let reads = ReadBatcher(pool: pool)
        let release = DispatchSemaphore(value: 0)
        let first = await Self.holdFirstBatch(reads, release: release)
        let failing = Task { try await reads.read { db in try Int.fetchOne(db, sql: "SELECT v FROM missing") } }
        let fine = Task { try await reads.read { db in try Int.fetchOne(db, sql: "SELECT v FROM t") } }
        await Self.waitUntilQueued(reads, 2)
        release.signal()
        _ = try await first.value
        await #expect(throws: DatabaseError.self) { try await failing.value }
        #expect(try await fine.value == 7)
        #expect(reads.batchesRun == 2)
        try pool.close()
    }
}
