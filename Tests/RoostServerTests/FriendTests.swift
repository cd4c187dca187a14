import Foundation
import RoostClient
import Testing

/// `GET/POST/DELETE /api/friends` with `friend_event` items on both sides.
@Suite("Friends")
struct FriendTests {
    func friendEvents(_ server: LiveServer, _ user: RoostHTTP.Account) async throws -> [[String?]] {
        let client = try await TestClient.connect(server, user, device: "check")
        defer { client.close() }
        return try await client.syncedItems().filter { $0["type"] as? String == "friend_event" }.map(itemData)
            .map { [$0["event"] as? String, $0["user_id"] as? String, $0["by"] as? String] }
    }

    @Test func requestAcceptRemoveWithEventsOnBothSides() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let bobWS = try await TestClient.connect(server, bob)
            let asked = try await server.http.request("POST", "/api/friends", json: ["user_id": bob.userID], token: alice.token)
            #expect(asked.status == 200 && asked.json["state"] as? String == "requested")
            #expect(asked.json["user_id"] as? String == bob.userID)
            let pushed = try await bobWS.items(1)[0]
            #expect(pushed.type == "friend_event" && pushed.string("event") == "requested")
            #expect(pushed.string("user_id") == alice.userID && pushed.string("by") == alice.userID)

            let aliceLists = try await server.http.request("GET", "/api/friends", token: alice.token).json
            #expect(aliceLists["outgoing"] as? [String] == [bob.userID] && (aliceLists["friends"] as? [String])?.isEmpty == true)
            let bobLists = try await server.http.request("GET", "/api/friends", token: bob.token).json
            #expect(bobLists["incoming"] as? [String] == [alice.userID])

            let accepted = try await server.http.request("POST", "/api/friends", json: ["user_id": alice.userID], token: bob.token)
            #expect(accepted.json["state"] as? String == "friends")
            let lists = try await server.http.request("GET", "/api/friends", token: bob.token).json
            #expect(lists["friends"] as? [String] == [alice.userID] && (lists["incoming"] as? [String])?.isEmpty == true)

            let removed = try await server.http.request("DELETE", "/api/friends/\(bob.userID)", token: alice.token)
            #expect(removed.status == 200 && removed.json.isEmpty)
            #expect(try await friendEvents(server, alice) == [["requested", bob.userID, alice.userID],
                                                              ["accepted", bob.userID, bob.userID],
                                                              ["removed", bob.userID, alice.userID]])
            #expect(try await friendEvents(server, bob) == [["requested", alice.userID, alice.userID],
                                                            ["accepted", alice.userID, bob.userID],
                                                            ["removed", alice.userID, alice.userID]])
            let after = try await server.http.request("GET", "/api/friends", token: bob.token).json
            #expect((after["friends"] as? [String])?.isEmpty == true)
        }
    }

    @Test func idempotentAndInvalidCases() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let http = server.http
            #expect(try await http.request("POST", "/api/friends", json: ["user_id": alice.userID], token: alice.token).status == 400)
            #expect(try await http.request("POST", "/api/friends", json: ["user_id": "987654321"], token: alice.token).status == 404)
            #expect(try await http.request("DELETE", "/api/friends/987654321", token: alice.token).status == 404)
            #expect(try await http.request("DELETE", "/api/friends/\(bob.userID)", token: alice.token).status == 200,
                    "deleting nothing is fine")
            _ = try await http.request("POST", "/api/friends", json: ["user_id": bob.userID], token: alice.token)
            let again = try await http.request("POST", "/api/friends", json: ["user_id": bob.userID], token: alice.token)
            #expect(again.status == 200 && again.json["state"] as? String == "requested")
            #expect(try await friendEvents(server, bob).count == 1, "a repeated request adds no event")
            // Withdrawing a request is a removal for both sides.
            #expect(try await http.request("DELETE", "/api/friends/\(bob.userID)", token: alice.token).status == 200)
            #expect(try await http.request("DELETE", "/api/friends/\(alice.userID)", token: bob.token).status == 200)
            #expect(try await friendEvents(server, bob).map(\.first) == ["requested", "removed"])
        }
    }
}
