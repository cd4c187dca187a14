import Foundation
import RoostProtocol
import RoostStorage
import Testing

/// Fan-out on write at the storage level: a group message is one message row
/// and one inbox item per member, committed by one write.
@Suite("Storage: group fan-out")
struct GroupFanOutTests {
    @Test(arguments: Backend.available)
    func fiveHundredMemberMessageIsOneRowAndFiveHundredItems(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let users = try await test.users(500)
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
        #expect(try await test.count("messages") == 1)
        #expect(try await test.count("inbox", where: "type = 'message'") == 500)

        let again = try await store.sendGroup(send, members: change.group.members, version: change.group.version)
        #expect(again.send.duplicate && again.send.result == outcome.send.result)
        let last = try await store.items(user: users[499], after: 1, limit: 10)
        #expect(last.count == 1 && last.first?.messageID == outcome.send.result.messageID)
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func staleMemberListIsReadAgainInsideTheTransaction(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        let created = try await store.createGroup(owner: a, name: "g", members: [b], open: false, cap: 10)
        _ = try await store.addMembers(group: created.group.id, users: [c], actor: a, cap: 10)
        let outcome = try await store.sendGroup(
            GroupSend(from: a, device: "d", clientID: "x", group: created.group.id, content: MessageContent(text: "hi")),
            members: created.group.members, version: created.group.version)
        #expect(outcome.refreshed?.members == [a, b, c])
        #expect(Set(outcome.send.deliveries.map(\.user)) == [a, b, c], "the new member is not missed")
        try await test.close()
    }
}
