import Foundation
import RoostClient
import Testing

/// `react` (PROTOCOL.md 9) over real sockets.
@Suite("Reactions")
struct ReactionTests {
    @Test func reactionsReachEveryoneAndRecordsCarryThem() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let group = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let id = try #require(try await a.sendGroupText("lunch?", group: group)["message_id"] as? String)

            let ack = try await b.call("react", ["message_id": id, "emoji": "👍"])
            #expect(ack["seq"] is Int)
            for client in [a, c] {
                let item = try await client.item(ofType: "reaction")
                #expect(item.data["message_id"] as? String == id && item.data["emoji"] as? String == "👍")
                #expect(item.data["user_id"] as? String == bob.userID && item.data["removed"] as? Bool == false)
                #expect(item.data["conversation"] as? String == "g:\(group)")
            }
            _ = try await c.call("react", ["message_id": id, "emoji": "👍"])
            _ = try await c.call("react", ["message_id": id, "emoji": "🎉"])
            // Repeating is an ack without seq and no item.
            #expect(try await b.call("react", ["message_id": id, "emoji": "👍"])["seq"] == nil)
            var page = try await a.historyPage("g:\(group)")
            var reactions = try #require(page.records[0]["reactions"] as? [String: [String]])
            #expect(reactions == ["👍": [bob.userID, carol.userID], "🎉": [carol.userID]])

            // Removing: an item with removed true; removing what is not there acks without seq.
            #expect(try await c.call("react", ["message_id": id, "emoji": "🎉", "remove": true])["seq"] is Int)
            #expect(try await c.call("react", ["message_id": id, "emoji": "🎉", "remove": true])["seq"] == nil)
            let removed = await b.waitFor { $0.type == "reaction" && $0.data["removed"] as? Bool == true }
            #expect(removed?.data["emoji"] as? String == "🎉")
            page = try await a.historyPage("g:\(group)")
            reactions = try #require(page.records[0]["reactions"] as? [String: [String]])
            #expect(reactions == ["👍": [bob.userID, carol.userID]])
            // Sync serves the reaction items and the message with its reactions.
            let items = try await c.syncedItems()
            #expect(items.filter { $0["type"] as? String == "reaction" }.count == 4)
        }
    }

    @Test func theRefusals() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let ids = try await a.sendTexts(2, to: bob.userID)
            #expect(try await c.request("react", ["message_id": ids[0], "emoji": "👍"]).errorCode == "forbidden")
            #expect(try await b.request("react", ["message_id": "987654", "emoji": "👍"]).errorCode == "not_found")
            #expect(try await b.request("react", ["message_id": ids[0], "emoji": ""]).errorCode == "bad_request")
            #expect(try await b.request("react", ["message_id": ids[0], "emoji": String(repeating: "a", count: 17)])
                .errorCode == "bad_request")
            #expect(try await b.request("react", ["message_id": ids[0]]).errorCode == "bad_request")
            _ = try await a.call("recall", ["message_id": ids[1]])
            #expect(try await b.request("react", ["message_id": ids[1], "emoji": "👍"]).errorCode == "conflict")
            // 16 scalars is fine (a family emoji is several).
            #expect(try await b.call("react", ["message_id": ids[0], "emoji": "👨‍👩‍👧‍👦"])["seq"] is Int)
        }
    }

    @Test func recallDropsReactions() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice), b = try await TestClient.connect(server, bob)
            let id = try #require(try await a.sendText("hi", to: bob.userID)["message_id"] as? String)
            _ = try await b.call("react", ["message_id": id, "emoji": "❤️"])
            _ = try await a.call("recall", ["message_id": id])
            let page = try await b.historyPage("u:\(alice.userID)")
            #expect(page.records[0]["recalled"] as? Bool == true && page.records[0]["reactions"] == nil)
        }
    }
}
