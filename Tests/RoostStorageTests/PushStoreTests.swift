import Foundation
import RoostProtocol
@testable import RoostStorage
import Testing

/// `PushStore` on every backend: one endpoint per (user, device), the
/// per-user bound, conditional removal (404/410), removal of all (ban), and on
/// SQLite account deletion (an offline admin operation there).
@Suite("Push store")
struct PushStoreTests {
    @Test(arguments: Backend.available)
    func registrationsRoundTrip(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
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

        if let sqlite = store as? SQLiteStore {
            try await sqlite.deleteUser(userID: alice)
            #expect(try await store.usersWithPushEndpoints().isEmpty, "an account deletion takes its endpoints")
        }
        _ = try await store.setBanned(user: alice, banned: true)
        #expect(try await store.usersWithPushEndpoints().isEmpty, "a ban takes its endpoints")
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func countersSumUnreadOverConversations(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
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
        try await test.close()
    }
}
