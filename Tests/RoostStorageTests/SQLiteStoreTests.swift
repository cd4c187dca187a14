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
        try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path)
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

    @Test func walWithFullSynchronous() async throws {
        let store = try Self.openStore()
        let pragmas = try await store.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(pragmas.0 == "wal" && pragmas.1 == 2, "WAL with synchronous=FULL")
        try await store.close()
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
