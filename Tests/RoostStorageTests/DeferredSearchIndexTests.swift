import Foundation
import GRDB
@testable import RoostProtocol
@testable import RoostStorage
import Testing

/// New texts reach the full-text index in bulk, after their commit; edits and
/// recalls before and after that keep the index true; a search never misses
/// a committed message.
@Suite("Deferred search index")
struct DeferredSearchIndexTests {
    static func open(interval: Duration, chunk: Int = 500) throws -> SQLiteStore {
        var options = SQLiteStore.Options()
        options.searchIndexInterval = interval
        options.searchIndexChunk = chunk
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
        return try SQLiteStore(path: path, options: options)
    }

    static func indexedRows(_ store: SQLiteStore, matching word: String) async throws -> Int {
        try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_search WHERE message_search MATCH ?", arguments: [word]) ?? -1
        }
    }

    @Test func editsAndRecallsBeforeAndAfterIndexingKeepSearchTrue() async throws {
        let store = try Self.open(interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        var ids: [Int64] = []
        for i in 0..<4 {
            let outcome = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c\(i)", to: b,
                                                                content: MessageContent(text: "alpha number\(i)")))
            ids.append(try #require(Int64(outcome.result.messageID)))
        }
        #expect(try await Self.indexedRows(store, matching: "alpha") == 0, "texts wait for the indexer")

        // Before indexing: an edit and a recall change what the indexer will see.
        _ = try await store.edit(MessageEdit(user: a, messageID: ids[0], content: MessageContent(text: "beta"),
                                             windowMillis: 60_000))
        _ = try await store.recall(user: a, messageID: ids[1], windowMillis: 60_000)
        let alpha = try await store.search(user: b, query: "alpha", conversation: nil, limit: 10)
        #expect(Set(alpha.map(\.record.messageID)) == [String(ids[2]), String(ids[3])])
        #expect(try await store.search(user: b, query: "beta", conversation: nil, limit: 10).map(\.record.messageID)
                == [String(ids[0])])
        #expect(try await Self.indexedRows(store, matching: "alpha") == 2, "the search indexed what waited")

        // After indexing: an edit replaces the indexed text, a recall removes it.
        _ = try await store.edit(MessageEdit(user: a, messageID: ids[2], content: MessageContent(text: "gamma"),
                                             windowMillis: 60_000))
        _ = try await store.recall(user: a, messageID: ids[3], windowMillis: 60_000)
        #expect(try await store.search(user: b, query: "alpha", conversation: nil, limit: 10).isEmpty)
        #expect(try await store.search(user: a, query: "gamma", conversation: nil, limit: 10).map(\.record.messageID)
                == [String(ids[2])])
        #expect(try await Self.indexedRows(store, matching: "alpha") == 0)
        try await store.close()
    }

    @Test func aZeroIntervalIndexesWithEveryBatch() async throws {
        let store = try Self.open(interval: .zero)
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c", to: a,
                                                  content: MessageContent(text: "delta")))
        #expect(try await Self.indexedRows(store, matching: "delta") == 1)
        try await store.close()
    }

    @Test func aBacklogIsIndexedInChunksOldestFirst() async throws {
        let store = try Self.open(interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        for i in 0..<5 {
            _ = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c\(i)", to: a,
                                                      content: MessageContent(text: "zeta\(i)")))
        }
        var steps: [DeferredIndexing] = []
        for _ in 0..<3 {
            steps.append(try await store.writer.write { db, _ in try SQLiteStore.indexDeferredTexts(db: db, limit: 2) })
        }
        #expect(steps == [DeferredIndexing(indexed: 2, caughtUp: false), DeferredIndexing(indexed: 2, caughtUp: false),
                          DeferredIndexing(indexed: 1, caughtUp: true)])
        #expect(try await Self.indexedRows(store, matching: "zeta0") == 1)
        #expect(try await Self.indexedRows(store, matching: "zeta4") == 1)
        try await store.close()
    }

    @Test func textsWaitingAtAStopAreIndexedAfterTheRestart() async throws {
        var options = SQLiteStore.Options()
        options.searchIndexInterval = .seconds(3600)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
        var store = try SQLiteStore(path: path, options: options)
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c", to: a,
                                                  content: MessageContent(text: "epsilon")))
        try await store.close()
        store = try SQLiteStore(path: path, options: options)
        #expect(try await Self.indexedRows(store, matching: "epsilon") == 0)
        #expect(try await store.search(user: a, query: "epsilon", conversation: nil, limit: 10).count == 1)
        try await store.close()
    }
}
