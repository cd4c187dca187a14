import Foundation
import GRDB
import RoostProtocol
@testable import RoostStorage
import Testing

/// What only the SQLite backend has: group commit into shared transactions,
/// its journal settings, and the Snowflake generator both backends use.
@Suite("SQLite store")
struct SQLiteStoreTests {
    static func openStore() throws -> SQLiteStore {
        try SQLiteStore(path: temporaryPath())
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
    }

    @Test func concurrentWritesShareTransactions() async throws {
        let store = try Self.openStore()
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<300 {
                group.addTask {
                    _ = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c\(i)", to: b,
                                                              content: MessageContent(text: "x")))
                }
            }
            try await group.waitForAll()
        }
        let commits = store.writer.committedBatches
        #expect(commits < 300, "300 concurrent sends took \(commits) transactions")
        try await store.close()
    }

    /// The writer is the connection whose commits must be fsynced before an
    /// ack: GRDB's pool turns it to NORMAL when it sets WAL up (this test
    /// used to look at a reader, which kept FULL, while every commit went
    /// unsynced).
    @Test func walWithFullSynchronousOnTheWriter() async throws {
        let store = try Self.openStore()
        let writer = try await store.pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(writer.0 == "wal" && writer.1 == 2, "the writer: WAL with synchronous=FULL")
        let reader = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(reader == 2)
        try await store.close()

        var options = SQLiteStore.Options()
        options.synchronousFull = false
        let fast = try SQLiteStore(path: Self.temporaryPath(), options: options)
        #expect(try await fast.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
        try await fast.close()
    }

    @Test func snowflakeIDsIncreaseEvenWhenTheClockStepsBack() {
        let generator = SnowflakeGenerator(after: 0)
        let now = nowMillisForIDs()
        let a = generator.next(now: now)
        let b = generator.next(now: now - 10_000)
        let c = generator.next(now: now)
        #expect(a < b && b < c)
        var last = c
        for _ in 0..<10_000 {
            let id = generator.next(now: now)
            #expect(id > last)
            last = id
        }
    }
}
