import Foundation
import RoostClient
import Testing

/// `presence` frames to friends and 1:1 contacts, debounced `offline`, and
/// the `GET /api/presence` snapshot.
@Suite("Presence")
struct PresenceTests {
    static let debounce = Duration.milliseconds(600)

    func befriend(_ server: LiveServer, _ a: RoostHTTP.Account, _ b: RoostHTTP.Account) async throws {
        _ = try await server.http.request("POST", "/api/friends", json: ["user_id": b.userID], token: a.token)
        _ = try await server.http.request("POST", "/api/friends", json: ["user_id": a.userID], token: b.token)
    }

    @Test func friendSeesOnlineAndDebouncedOfflineAndStrangerSeesNothing() async throws {
        try await LiveServer.run(configure: { $0.core.presenceDebounce = Self.debounce }) { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let stranger = try await server.newUser("eve")
            try await befriend(server, alice, bob)
            let aliceWS = try await TestClient.connect(server, alice)
            let strangerWS = try await TestClient.connect(server, stranger)

            let bobWS = try await TestClient.connect(server, bob)
            let online = try #require(await aliceWS.ephemeral("presence"))
            #expect(online.string("user_id") == bob.userID && online.string("status") == "online" && online.data["seq"] == nil)
            let snapshot = try #require(await bobWS.ephemeral("presence"), "on connect: a frame per online contact")
            #expect(snapshot.string("user_id") == alice.userID && snapshot.string("status") == "online")

            // A second device changes nothing for contacts.
            let bobOther = try await TestClient.connect(server, bob, device: "other")
            bobOther.close()
            bobWS.close()
            let closedAt = ContinuousClock.now
            let offline = try #require(await aliceWS.ephemeral("presence"))
            #expect(offline.string("user_id") == bob.userID && offline.string("status") == "offline")
            #expect(ContinuousClock.now - closedAt >= Self.debounce - .milliseconds(50), "offline waits for the debounce")
            #expect(await strangerWS.ephemeral("presence", timeout: .milliseconds(300)) == nil)
        }
    }

    @Test func directContactsShareAndFlappingSendsNothing() async throws {
        try await LiveServer.run(configure: { $0.core.presenceDebounce = Self.debounce }) { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let bobWS = try await TestClient.connect(server, bob)
            _ = try await bobWS.sendText("hello", to: alice.userID)   // bob -> alice: contacts both ways
            let aliceWS = try await TestClient.connect(server, alice)
            #expect(await bobWS.ephemeral("presence")?.string("user_id") == alice.userID)

            aliceWS.close()
            let back = try await TestClient.connect(server, alice, device: "default")
            #expect(await bobWS.ephemeral("presence", timeout: Self.debounce * 2) == nil, "a quick reconnect is not news")
            back.close()
            #expect(await bobWS.ephemeral("presence")?.string("status") == "offline")

            let snapshot = try await server.http.request(
                "GET", "/api/presence?user_ids=\(alice.userID),\(bob.userID),123456", token: bob.token)
            #expect(snapshot.status == 200)
            let entries = try #require(snapshot.json["presence"] as? [[String: Any]])
            #expect(entries.count == 1, "only contacts: \(entries)")
            #expect(entries.first?["user_id"] as? String == alice.userID && entries.first?["status"] as? String == "offline")
            let fromAlice = try await server.http.request("GET", "/api/presence?user_ids=\(bob.userID)", token: alice.token)
            #expect((fromAlice.json["presence"] as? [[String: Any]])?.first?["status"] as? String == "online")
        }
    }

    @Test func aFirstMessageBetweenOnlineUsersSharesPresenceAtOnce() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let aliceWS = try await TestClient.connect(server, alice), bobWS = try await TestClient.connect(server, bob)
            #expect(await aliceWS.ephemeral("presence", timeout: .milliseconds(200)) == nil, "not contacts yet")
            _ = try await aliceWS.sendText("hi, new here", to: bob.userID)
            #expect(await aliceWS.ephemeral("presence")?.string("user_id") == bob.userID)
            #expect(await bobWS.ephemeral("presence")?.string("user_id") == alice.userID)
            // The next message is not news.
            _ = try await aliceWS.sendText("again", to: bob.userID)
            #expect(await bobWS.ephemeral("presence", timeout: .milliseconds(300)) == nil)
        }
    }
}
