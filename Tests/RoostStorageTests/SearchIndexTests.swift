import Foundation
import GRDB
@testable import RoostProtocol
@testable import RoostStorage
import Testing

/// New texts reach the full-text index (a file of its own) after their
/// commit, written by the indexer's own connection; edits and recalls before
/// and after that keep the index true; a search never misses a committed
/// message; an index file that is missing or belongs to another database is
/// rebuilt.
@Suite("Search index")
struct SearchIndexTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
    }

    static func open(_ path: String = temporaryPath(), interval: Duration, chunk: Int = 500) throws -> SQLiteStore {
        var options = SQLiteStore.Options()
        options.searchIndexInterval = interval
        options.searchIndexChunk = chunk
        return try SQLiteStore(path: path, options: options)
    }

    static func indexedRows(_ store: SQLiteStore, matching word: String) async throws -> Int {
        try await store.searchIndex.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_search WHERE message_search MATCH ?", arguments: [word]) ?? -1
        }
    }

    static func send(_ store: SQLiteStore, from a: Int64, to b: Int64, _ texts: [String]) async throws -> [Int64] {
        var ids: [Int64] = []
        for text in texts {
            let outcome = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: UUID().uuidString, to: b,
                                                                content: MessageContent(text: text)))
            ids.append(try #require(Int64(outcome.result.messageID)))
        }
        return ids
    }

    @Test func editsAndRecallsBeforeAndAfterIndexingKeepSearchTrue() async throws {
        let store = try Self.open(interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        let ids = try await Self.send(store, from: a, to: b, (0..<4).map { "alpha number\($0)" })
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
        #expect(try await Self.indexedRows(store, matching: "alpha") == 0, "the recall took its text out at once")
        #expect(try await store.search(user: b, query: "alpha", conversation: nil, limit: 10).isEmpty)
        let gamma = try await store.search(user: a, query: "gamma", conversation: nil, limit: 10)
        #expect(gamma.map(\.record.messageID) == [String(ids[2])])
        #expect(gamma.first?.snippet == "gamma")
        #expect(try await Self.indexedRows(store, matching: "number2") == 0, "the edited text replaced the old one")

        // Applied changes are forgotten by the next edit's transaction.
        _ = try await store.edit(MessageEdit(user: a, messageID: ids[0], content: MessageContent(text: "delta"),
                                             windowMillis: 60_000))
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search_changes") } == 1)
        try await store.close()
    }

    @Test(.timeLimit(.minutes(1))) func theIndexerCatchesUpByItself() async throws {
        let store = try Self.open(interval: .milliseconds(20))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await Self.send(store, from: a, to: a, ["epsilon"])
        while try await Self.indexedRows(store, matching: "epsilon") == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await store.close()
    }

    @Test func aBacklogIsIndexedInChunksOldestFirst() async throws {
        let store = try Self.open(interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await Self.send(store, from: a, to: a, (0..<5).map { "zeta\($0)" })
        var steps: [SearchIndexStep] = []
        for _ in 0..<3 {
            steps.append(try await store.searchIndex.step(newTexts: 2))
        }
        #expect(steps == [SearchIndexStep(indexed: 2, changed: 0, caughtUp: false),
                          SearchIndexStep(indexed: 2, changed: 0, caughtUp: false),
                          SearchIndexStep(indexed: 1, changed: 0, caughtUp: true)])
        #expect(try await Self.indexedRows(store, matching: "zeta0") == 1)
        #expect(try await Self.indexedRows(store, matching: "zeta4") == 1)

        // Caught up: a search's step finds nothing to do and writes nothing.
        let rowsWritten = { try await store.searchIndex.pool.write { db in db.totalChangesCount } }
        let before = try await rowsWritten()
        #expect(try await store.search(user: a, query: "zeta0", conversation: nil, limit: 10).count == 1)
        #expect(try await rowsWritten() == before)
        try await store.close()
    }

    /// What the change is for: an index write in progress (an FTS5 merge
    /// takes up to ~17 ms) no longer holds the messages behind it.
    @Test(.timeLimit(.minutes(1))) func aSendCommitsWhileTheIndexWriterIsHeld() async throws {
        let store = try Self.open(interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let release = DispatchSemaphore(value: 0)
        let indexWrite = Task {
            try await store.searchIndex.pool.write { db in
                try db.execute(sql: "UPDATE search_state SET indexed_up_to = indexed_up_to")
                holding.yield()
                release.wait()
            }
        }
        for await _ in held { break }
        let ids = try await Self.send(store, from: a, to: a, ["eta"])
        #expect(ids.count == 1)
        release.signal()
        try await indexWrite.value
        #expect(try await store.search(user: a, query: "eta", conversation: nil, limit: 10).count == 1)
        try await store.close()
    }

    @Test func textsWaitingAtAStopAreIndexedAfterTheRestart() async throws {
        let path = Self.temporaryPath()
        var store = try Self.open(path, interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await Self.send(store, from: a, to: a, ["theta"])
        try await store.close()
        store = try Self.open(path, interval: .seconds(3600))
        #expect(try await Self.indexedRows(store, matching: "theta") == 0)
        #expect(try await store.search(user: a, query: "theta", conversation: nil, limit: 10).count == 1)
        try await store.close()
    }

    @Test func anIndexFileMissingOrOfAnotherDatabaseIsRebuilt() async throws {
        let path = Self.temporaryPath()
        let indexPath = SearchIndexFile.path(beside: path)
        #expect(indexPath.hasSuffix(".search.sqlite"))
        var store = try Self.open(path, interval: .seconds(3600))
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await Self.send(store, from: a, to: a, ["iota"])
        #expect(try await store.search(user: a, query: "iota", conversation: nil, limit: 10).count == 1)
        try await store.close()

        // Deleted: rebuilt empty, then filled again.
        try FileManager.default.removeItem(atPath: indexPath)
        store = try Self.open(path, interval: .seconds(3600))
        #expect(try await Self.indexedRows(store, matching: "iota") == 0)
        #expect(try await store.search(user: a, query: "iota", conversation: nil, limit: 10).count == 1)
        try await store.close()

        // A restore gives the database a new epoch: the old index is not reused.
        let backup = Self.temporaryPath()
        try SQLiteStore.backup(databaseAt: path, to: backup)
        try SQLiteStore.restore(backupAt: backup, into: path)
        store = try Self.open(path, interval: .seconds(3600))
        #expect(try await Self.indexedRows(store, matching: "iota") == 0)
        #expect(try await store.search(user: a, query: "iota", conversation: nil, limit: 10).count == 1)
        try await store.close()
    }
}

/// The background loop's rules, on explicit instants: a backlog at start is
/// taken tick after tick; once caught up, new texts wait the interval, and
/// nothing is done without a new commit.
@Suite("Search index pacing")
struct SearchIndexPacingTests {
    @Test func aBacklogIsTakenAtOnceThenTextsWaitTheIntervalAndOnlyAfterACommit() {
        let start = ContinuousClock.now
        var pacing = SearchIndexPacing(interval: .seconds(1), now: start)
        func due(_ commits: Int, _ at: Duration) -> Bool { pacing.isDue(commits: commits, now: start + at) }
        #expect(pacing.tick == .milliseconds(50))
        #expect(due(0, .zero), "a backlog from before the start")
        pacing.stepped(caughtUp: false, startedAt: start)
        #expect(due(0, .milliseconds(50)), "still catching up")
        pacing.stepped(caughtUp: true, startedAt: start + .milliseconds(50))

        #expect(!due(1, .milliseconds(500)), "texts wait the interval")
        #expect(due(1, .milliseconds(1_050)))
        pacing.stepped(caughtUp: true, startedAt: start + .milliseconds(1_050))
        #expect(!due(1, .seconds(5)), "no commit since that step: nothing to index")
        #expect(due(2, .seconds(5)))
    }

    @Test func aZeroIntervalLooksEveryFiveMilliseconds() {
        let start = ContinuousClock.now
        var pacing = SearchIndexPacing(interval: .zero, now: start)
        func due(_ commits: Int, _ at: Duration) -> Bool { pacing.isDue(commits: commits, now: start + at) }
        #expect(pacing.tick == .milliseconds(5))
        pacing.stepped(caughtUp: true, startedAt: start)
        #expect(due(1, .zero))
        #expect(!due(1, .milliseconds(5)))
    }
}
