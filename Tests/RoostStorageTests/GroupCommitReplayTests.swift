import Foundation
import GRDB
import RoostProtocol
@testable import RoostStorage
import Testing

/// Sends run without a savepoint of their own (every refusal comes before
/// their first write). These check both ways an op can fail there: refused
/// before writing (the batch goes on), and failing after a write (the batch
/// is rolled back and replayed with a savepoint per op): either way the
/// other writes of the batch commit and the failed one leaves nothing.
@Suite("SQLite group commit without savepoints")
struct GroupCommitReplayTests {
    struct Boom: Error {}

    @Test func refusedSendsLeaveTheirBatchWhole() async throws {
        let store = try SQLiteStoreTests.openStore()
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<200 {
                group.addTask {
                    // Every third send names a user that does not exist: refused before any write.
                    let to = i % 3 == 0 ? 999_999 : b
                    let send = DirectSend(from: a, device: "d", clientID: "c\(i)", to: to,
                                          content: MessageContent(text: "message \(i)", replyTo: i % 7 == 0 ? "1" : nil))
                    return (try? await store.sendDirect(send)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let sent = results.filter { $0 }.count
        #expect(sent > 0 && sent < 200)
        #expect(try await store.head(of: b) == Int64(sent))
        #expect(try await store.items(user: b, after: 0, limit: 500).map(\.seq) == Array(1...Int64(sent)))
        #expect(store.writer.replayedBatches == 0, "a refusal before any write needs no replay")
        let rows = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sends") ?? -1)
        }
        let found = try await store.search(user: a, query: "message", conversation: nil, limit: 500).count
        #expect(rows.0 == sent && rows.1 == sent && found == sent)
        try await store.close()
    }

    @Test func aFailureAfterAWriteReplaysTheBatchWithSavepoints() async throws {
        let store = try SQLiteStoreTests.openStore()
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask {
                    if i % 10 == 5 {
                        // A write that breaks its promise: it writes, takes a seq, then fails.
                        let failed = (try? await store.writer.write(validatedFirst: true) { db, batch in
                            _ = try SQLiteStore.appendItem(db: db, batch: batch, user: b, type: "bogus", messageID: nil,
                                                           payload: "{}", now: 1)
                            throw Boom()
                        }) == nil
                        return !failed
                    }
                    return (try? await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c\(i)", to: b,
                                                                   content: MessageContent(text: "hi")))) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 90, "every send commits, every broken write fails")
        #expect(store.writer.replayedBatches > 0)
        let items = try await store.items(user: b, after: 0, limit: 500)
        #expect(items.map(\.seq) == Array(1...90), "no seq taken by a failed write, no gap")
        #expect(!items.contains(where: { $0.body.type == "bogus" }))
        #expect(try await store.head(of: b) == 90)
        try await store.close()
    }
}
