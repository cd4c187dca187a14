import Foundation
import RoostProtocol
@testable import RoostStorage
import Testing

/// `PushStore` on SQLite: one endpoint per (user, device), the per-user
/// bound, conditional removal (404/410), removal of all (ban), account deletion.
@Suite("Push store")
struct PushStoreTests {
    @Test func registrationsRoundTrip() async throws {
        let store = try SQLiteStoreTests.openStore()
        let ids = try await SQLiteStoreTests.users(store, 2)
        let (bob, alice) = (ids[0], ids[1])
        _ = try await store.setPushEndpoint(user: bob, device: "phone", endpoint: "https://a/1", maxPerUser: 2)
        _ = try await store.setPushEndpoint(user: bob, device: "phone", endpoint: "https://a/2", maxPerUser: 2)
        _ = try await store.setPushEndpoint(user: bob, device: "tablet", endpoint: "https://a/3", maxPerUser: 2)
        await #expect(throws: RoostError.self) {
            _ = try await store.setPushEndpoint(user: bob, device: "watch", endpoint: "https://a/4", maxPerUser: 2)
        }
        #expect(try await store.pushEndpoints(user: bob).map(\.endpoint) == ["https://a/2", "https://a/3"])
        #expect(try await store.usersWithPushEndpoints() == [bob])

        // A 410 for an endpoint that was replaced meanwhile removes nothing.
        try await store.removePushEndpoint(user: bob, device: "phone", ifStill: "https://a/1")
        #expect(try await store.pushEndpoints(user: bob).count == 2)
        try await store.removePushEndpoint(user: bob, device: "phone", ifStill: "https://a/2")
        #expect(try await store.pushEndpoints(user: bob).map(\.device) == ["tablet"])

        _ = try await store.setPushEndpoint(user: alice, device: "phone", endpoint: "https://a/5", maxPerUser: 2)
        try await store.removePushEndpoints(user: bob)
        #expect(try await store.pushEndpoints(user: bob).isEmpty)
        #expect(try await store.usersWithPushEndpoints() == [alice])

        try await store.deleteUser(userID: alice)
        #expect(try await store.usersWithPushEndpoints().isEmpty, "an account deletion takes its endpoints")
        try await store.close()
    }

    @Test func countersSumUnreadOverConversations() async throws {
        let store = try SQLiteStoreTests.openStore()
        let ids = try await SQLiteStoreTests.users(store, 3)
        let (bob, alice, carol) = (ids[0], ids[1], ids[2])
        for (n, from) in [alice, alice, carol].enumerated() {
            _ = try await store.sendDirect(DirectSend(from: from, device: "d", clientID: "c\(n)", to: bob,
                                                      content: MessageContent(text: "hi")))
        }
        _ = try await store.sendDirect(DirectSend(from: bob, device: "d", clientID: "own", to: alice,
                                                  content: MessageContent(text: "mine")))
        let counters = try await store.pushCounters(user: bob)
        #expect(counters.headSeq == 4)
        #expect(counters.unread == 3, "messages from others, over both conversations; my own not counted")
        try await store.close()
    }
}
