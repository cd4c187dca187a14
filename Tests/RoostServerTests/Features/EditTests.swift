import Foundation
import RoostClient
import Testing

/// `edit`, `reply_to` and `mentions` (PROTOCOL.md 9) over real sockets.
@Suite("Edits, replies and mentions")
struct EditTests {
    @Test func anEditReachesEveryParticipantAndRecordsCarryIt() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            let other = try await TestClient.connect(server, alice, device: "two")
            let b = try await TestClient.connect(server, bob)
            let id = try #require(try await a.sendText("helo", to: bob.userID)["message_id"] as? String)
            _ = try await b.item(ofType: "message")

            let ack = try await a.call("edit", ["message_id": id, "content": ["text": "hello"]])
            let seq = try #require(ack["seq"] as? Int)
            let editedAt = try #require(ack["edited_at"] as? Int)
            for (client, conversation) in [(other, "u:\(bob.userID)"), (b, "u:\(alice.userID)")] {
                let item = try await client.item(ofType: "edit")
                #expect(item.data["message_id"] as? String == id)
                #expect(item.data["conversation"] as? String == conversation)
                #expect(item.data["by"] as? String == alice.userID)
                #expect(item.data["edited_at"] as? Int == editedAt)
                #expect((item.data["content"] as? [String: Any])?["text"] as? String == "hello")
            }
            // The editor's own item is the ack's seq, not pushed again.
            #expect(await a.itemsWithin(.milliseconds(200)).filter { $0.seq == seq }.isEmpty)

            // History and the stored message item carry the latest content and edited_at.
            let page = try await b.historyPage("u:\(alice.userID)")
            #expect((page.records[0]["content"] as? [String: Any])?["text"] as? String == "hello")
            #expect(page.records[0]["edited_at"] as? Int == editedAt)
            let items = try await b.syncedItems()
            let message = try #require(items.first { $0["type"] as? String == "message" })
            #expect((itemData(message)["content"] as? [String: Any])?["text"] as? String == "hello")
            #expect(itemData(message)["edited_at"] as? Int == editedAt)
            let edit = try #require(items.first { $0["type"] as? String == "edit" })
            #expect((itemData(edit)["content"] as? [String: Any])?["text"] as? String == "hello")
        }
    }

    @Test func theRefusals() async throws {
        try await LiveServer.run(configure: { $0.core.editWindow = .milliseconds(700) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let ids = try await a.sendTexts(3, to: bob.userID)
            let text: [String: Any] = ["text": "changed"]
            #expect(try await a.request("edit", ["message_id": "424242", "content": text]).errorCode == "not_found")
            #expect(try await a.request("edit", ["message_id": "x", "content": text]).errorCode == "not_found")
            #expect(try await b.request("edit", ["message_id": ids[0], "content": text]).errorCode == "forbidden")
            #expect(try await c.request("edit", ["message_id": ids[0], "content": text]).errorCode == "forbidden")
            #expect(try await a.request("edit", ["message_id": ids[0], "content": ["text": ""]]).errorCode == "bad_request")
            #expect(try await a.request("edit", ["message_id": ids[0]]).errorCode == "bad_request")
            let big = String(repeating: "x", count: 16 * 1024 + 1)
            #expect(try await a.request("edit", ["message_id": ids[0], "content": ["text": big]]).errorCode == "too_large")
            // A recalled message is a conflict.
            _ = try await a.call("recall", ["message_id": ids[1]])
            #expect(try await a.request("edit", ["message_id": ids[1], "content": text]).errorCode == "conflict")
            // Outside the window.
            try await Task.sleep(for: .milliseconds(800))
            #expect(try await a.request("edit", ["message_id": ids[2], "content": text]).errorCode == "forbidden")
            // Nothing changed for anyone.
            let page = try await b.historyPage("u:\(alice.userID)")
            #expect(page.records.allSatisfy { $0["edited_at"] == nil })
        }
    }

    @Test func aGroupYouLeftCannotBeEdited() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let group = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let b = try await TestClient.connect(server, bob)
            let id = try #require(try await b.sendGroupText("hi all", group: group)["message_id"] as? String)
            _ = try await b.call("leave_group", ["group_id": group])
            #expect(try await b.request("edit", ["message_id": id, "content": ["text": "bye"]]).errorCode == "forbidden")
        }
    }

    @Test func repliesAndMentionsAreCheckedAndCounted() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let group = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            let first = try #require(try await a.sendGroupText("first", group: group)["message_id"] as? String)
            let direct = try #require(try await a.sendText("elsewhere", to: bob.userID)["message_id"] as? String)

            // reply_to of another conversation or unknown: not_found; mentions of non-participants: bad_request.
            for reply in [direct, "999999", "abc"] {
                let r = try await a.request("send_message", ["group_id": group, "content": ["text": "re", "reply_to": reply]])
                #expect(r.errorCode == "not_found", "reply_to \(reply)")
            }
            for mentions in [[carol.userID], ["nobody"], [bob.userID, "123456789"]] {
                let r = try await a.request("send_message", ["group_id": group, "content": ["text": "hey", "mentions": mentions]])
                #expect(r.errorCode == "bad_request", "mentions \(mentions)")
            }
            #expect(try await a.request("send_message", ["group_id": group, "content": ["text": "x", "mentions": "b"]])
                .errorCode == "bad_request")

            let ok = try await a.call("send_message", ["group_id": group, "content": [
                "text": "@bob look", "reply_to": first, "mentions": [bob.userID, bob.userID, alice.userID]]])
            let reply = try #require(ok["message_id"] as? String)
            let b = try await TestClient.connect(server, bob)
            let items = try await b.syncedItems()
            let pushed = try #require(items.first { $0["message_id"] as? String == reply })
            let content = try #require(itemData(pushed)["content"] as? [String: Any])
            #expect(content["reply_to"] as? String == first)
            #expect(content["mentions"] as? [String] == [bob.userID, alice.userID])

            // Unread mentions per conversation: bob has one, alice (the sender) none.
            func mentions(_ account: RoostHTTP.Account) async throws -> Int? {
                try await server.conversations(account).first { $0["conversation"] as? String == "g:\(group)" }?["mentions"] as? Int
            }
            #expect(try await mentions(bob) == 1)
            #expect(try await mentions(alice) == 0)
            // An edit that drops the mention drops the count; reading clears it too.
            _ = try await a.call("edit", ["message_id": reply, "content": ["text": "look", "mentions": [String]()]])
            #expect(try await mentions(bob) == 0)
            _ = try await a.call("edit", ["message_id": reply, "content": ["text": "@bob look", "mentions": [bob.userID]]])
            #expect(try await mentions(bob) == 1)
            _ = try await b.call("read", ["conversation": "g:\(group)", "up_to": reply])
            #expect(try await mentions(bob) == 0)
            // 1:1 mentions of the peer are fine.
            _ = try await a.call("send_message", ["to": bob.userID, "content": ["text": "hi", "mentions": [bob.userID]]])
            #expect(try await server.conversations(bob).first { $0["conversation"] as? String == "u:\(alice.userID)" }?["mentions"] as? Int == 1)
        }
    }
}
