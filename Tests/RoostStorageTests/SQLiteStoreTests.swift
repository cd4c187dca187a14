import Foundation
import GRDB
import RoostProtocol
@testable import RoostStorage
import Testing

/// The storage contract on a real SQLite file: seq allocation, idempotency,
/// group commit and durability of what was acknowledged.
@Suite("SQLite store")
struct SQLiteStoreTests {
    static func openStore(_ path: String? = nil) throws -> SQLiteStore {
        let path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
        return try SQLiteStore(path: path)
    }

    static func users(_ store: SQLiteStore, _ count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        for i in 0..<count {
            ids.append(try await store.createUser(username: "user\(i)", passwordHash: "x", isAdmin: false).id)
        }
        return ids
    }

    @Test func fiftyConcurrentSendersGiveGapFreeSeqs() async throws {
        let store = try Self.openStore()
        let ids = try await Self.users(store, 51)
        let receiver = ids[0]
        let senders = Array(ids.dropFirst())
        let outcomes = try await withThrowingTaskGroup(of: SendOutcome.self) { group in
            for (i, sender) in senders.enumerated() {
                for j in 0..<4 {
                    group.addTask {
                        try await store.sendDirect(DirectSend(from: sender, device: "d", clientID: "c\(i)-\(j)", to: receiver,
                                                              content: MessageContent(text: "hello")))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 200)
        let receiverSeqs = outcomes.flatMap(\.deliveries).filter { $0.user == receiver }.map(\.item.seq).sorted()
        #expect(receiverSeqs == Array(1...200))
        #expect(try await store.head(of: receiver) == 200)
        let items = try await store.items(user: receiver, after: 0, limit: 1000)
        #expect(items.map(\.seq) == Array(1...200))
        // Each sender's own copies are gap-free in the sender's inbox too.
        for sender in senders {
            #expect(try await store.items(user: sender, after: 0, limit: 10).map(\.seq) == [1, 2, 3, 4])
        }
        // The same relative order in every inbox: message ids ascend with seq.
        let messageIDs = items.compactMap { $0.messageID }.map { UInt64($0)! }
        #expect(messageIDs == messageIDs.sorted())
        try await store.close()
    }

    @Test func concurrentWritesShareTransactions() async throws {
        let store = try Self.openStore()
        let ids = try await Self.users(store, 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<300 {
                group.addTask {
                    _ = try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "c\(i)", to: ids[1],
                                                              content: MessageContent(text: "x")))
                }
            }
            try await group.waitForAll()
        }
        let commits = store.writer.committedBatches
        #expect(commits < 300, "300 concurrent sends took \(commits) transactions")
        try await store.close()
    }

    @Test func repeatedRequestIDIsIdempotent() async throws {
        let store = try Self.openStore()
        let ids = try await Self.users(store, 2)
        let send = DirectSend(from: ids[0], device: "phone", clientID: "abc", to: ids[1], content: MessageContent(text: "hi"))
        let first = try await store.sendDirect(send)
        let second = try await store.sendDirect(send)
        #expect(!first.duplicate && second.duplicate)
        #expect(first.result == second.result)
        #expect(second.deliveries.isEmpty)
        #expect(try await store.head(of: ids[1]) == 1)
        let otherDevice = try await store.sendDirect(DirectSend(from: ids[0], device: "tablet", clientID: "abc", to: ids[1],
                                                                content: MessageContent(text: "hi")))
        #expect(!otherDevice.duplicate)
        #expect(try await store.head(of: ids[1]) == 2)
        try await store.close()
    }

    @Test func failedOperationDoesNotDisturbItsBatch() async throws {
        let store = try Self.openStore()
        let ids = try await Self.users(store, 2)
        let good = Task {
            try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "1", to: ids[1],
                                                  content: MessageContent(text: "ok")))
        }
        let bad = Task {
            try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "2", to: 999_999,
                                                  content: MessageContent(text: "nobody")))
        }
        #expect(try await good.value.result.seq == 1)
        await #expect(throws: RoostError.self) { try await bad.value }
        #expect(try await store.head(of: ids[0]) == 1, "the failed send allocated no seq")
        try await store.close()
    }

    @Test func committedDataAndCursorsSurviveReopening() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
        let store = try Self.openStore(path)
        let ids = try await Self.users(store, 2)
        let sent = try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "1", to: ids[1],
                                                         content: MessageContent(text: "keep me")))
        store.setCursor(user: ids[1], device: "phone", to: 1)
        let epoch = store.epoch
        try await store.close()

        let reopened = try Self.openStore(path)
        #expect(reopened.epoch == epoch)
        #expect(try await reopened.cursor(user: ids[1], device: "phone") == 1)
        let items = try await reopened.items(user: ids[1], after: 0, limit: 10)
        #expect(items.map(\.messageID) == [sent.result.messageID])
        let next = try await reopened.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "2", to: ids[1],
                                                            content: MessageContent(text: "later")))
        #expect(UInt64(next.result.messageID)! > UInt64(sent.result.messageID)!)
        #expect(next.result.seq == 2)
        let pragmas = try await reopened.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(pragmas.0 == "wal" && pragmas.1 == 2, "WAL with synchronous=FULL")
        try await reopened.close()
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
