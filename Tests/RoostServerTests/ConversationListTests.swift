import Foundation
import RoostClient
import Testing

@Suite("Conversation list")
struct ConversationListTests {
    @Test func orderLastMessageAndUnread() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            #expect(try await server.conversations(alice).isEmpty)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let fromBob = try await b.sendTexts(2, to: alice.userID, prefix: "b")
            _ = try await c.sendTexts(1, to: alice.userID, prefix: "c")
            let a = try await TestClient.connect(server, alice, device: "laptop")
            let mine = try #require(try await a.sendText("to bob", to: bob.userID)["message_id"] as? String)

            var list = try await server.conversations(alice)
            #expect(list.compactMap { $0["conversation"] as? String } == ["u:\(bob.userID)", "u:\(carol.userID)"])
            let withBob = list[0]
            let last = try #require(withBob["last_message"] as? [String: Any])
            #expect(last["message_id"] as? String == mine && last["conversation"] as? String == "u:\(bob.userID)")
            #expect(withBob["unread"] as? Int == 2, "my own message does not count")
            #expect(withBob["updated_at"] as? Int == last["timestamp"] as? Int)
            #expect(list[1]["unread"] as? Int == 1)
            // Bob's view of the same conversation: alice's message is unread for him.
            #expect(try await server.unread(bob, in: "u:\(alice.userID)") == 1)

            // A read on another device of alice clears the count for every device.
            let phone = try await TestClient.connect(server, alice, device: "phone")
            _ = try await phone.call("read", ["conversation": "u:\(bob.userID)", "up_to": fromBob[0]])
            #expect(try await server.unread(alice, in: "u:\(bob.userID)") == 1)
            _ = try await phone.call("read", ["conversation": "u:\(bob.userID)", "up_to": fromBob[1]])
            #expect(try await server.unread(alice, in: "u:\(bob.userID)") == 0)

            // Newer messages move carol first; a recalled one is not counted.
            let more = try await c.sendTexts(2, to: alice.userID, prefix: "c-more")
            list = try await server.conversations(alice)
            #expect(list.first?["conversation"] as? String == "u:\(carol.userID)")
            #expect(list.first?["unread"] as? Int == 3)
            _ = try await c.call("recall", ["message_id": more[1]])
            list = try await server.conversations(alice)
            #expect(list.first?["unread"] as? Int == 2)
            let recalledLast = try #require(list.first?["last_message"] as? [String: Any])
            #expect(recalledLast["message_id"] as? String == more[1] && recalledLast["recalled"] as? Bool == true)

            #expect(try await server.conversations(alice, limit: 1).count == 1)
            let bad = try await server.http.request("GET", "/api/conversations?limit=0", token: alice.token)
            #expect(bad.status == 400 && bad.errorCode == "bad_request")
            _ = a
        }
    }

    @Test func noteToSelfIsOneConversationWithoutUnread() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let a = try await TestClient.connect(server, alice)
            _ = try await a.sendTexts(2, to: alice.userID)
            let list = try await server.conversations(alice)
            #expect(list.count == 1)
            #expect(list.first?["conversation"] as? String == "u:\(alice.userID)" && list.first?["unread"] as? Int == 0)
        }
    }
}
