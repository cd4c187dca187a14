import Foundation
import GRDB
import RoostProtocol
@testable import RoostStorage
import Testing

/// Fan-out on write at the storage level: a group message is one message row
/// and one inbox item per member, committed by one writer operation.
@Suite("Group fan-out storage")
struct GroupFanOutTests {
    func openStore() throws -> SQLiteStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roost-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = SQLiteStore.Options()
        options.synchronousFull = false
        return try SQLiteStore(path: dir.appendingPathComponent("roost.sqlite").path, options: options)
    }

    @Test func fiveHundredMemberMessageIsOneRowAndFiveHundredItems() async throws {
        let store = try openStore()
        var users: [Int64] = []
        for i in 0..<500 {
            users.append(try await store.createUser(username: "user\(i)", passwordHash: "x", isAdmin: false).id)
        }
        let change = try await store.createGroup(owner: users[0], name: "big", members: Array(users.dropFirst()),
                                                 open: false, cap: 2_000)
        #expect(change.group.members == users, "members in join order")
        #expect(change.deliveries.count == 500, "one created item each")

        let send = GroupSend(from: users[0], device: "d", clientID: "c1", group: change.group.id,
                             content: MessageContent(text: "hello all"))
        let outcome = try await store.sendGroup(send, members: change.group.members, version: change.group.version)
        #expect(outcome.refreshed == nil && !outcome.send.duplicate)
        #expect(outcome.send.deliveries.count == 500)
        #expect(Set(outcome.send.deliveries.map(\.user)) == Set(users))
        #expect(outcome.send.deliveries.allSatisfy { $0.item.seq == 2 }, "each member's second item")

        let (messages, items) = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox WHERE type = 'message'") ?? 0)
        }
        #expect(messages == 1 && items == 500)

        let again = try await store.sendGroup(send, members: change.group.members, version: change.group.version)
        #expect(again.send.duplicate && again.send.result == outcome.send.result)
        let last = try await store.items(user: users[499], after: 1, limit: 10)
        #expect(last.count == 1 && last.first?.messageID == outcome.send.result.messageID)
        try await store.close()
    }

    @Test func staleMemberListIsReadAgainInsideTheTransaction() async throws {
        let store = try openStore()
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        let c = try await store.createUser(username: "c", passwordHash: "x", isAdmin: false).id
        let created = try await store.createGroup(owner: a, name: "g", members: [b], open: false, cap: 10)
        _ = try await store.addMembers(group: created.group.id, users: [c], actor: a, cap: 10)
        let outcome = try await store.sendGroup(
            GroupSend(from: a, device: "d", clientID: "x", group: created.group.id, content: MessageContent(text: "hi")),
            members: created.group.members, version: created.group.version)
        #expect(outcome.refreshed?.members == [a, b, c])
        #expect(Set(outcome.send.deliveries.map(\.user)) == [a, b, c], "the new member is not missed")
        try await store.close()
    }
}
