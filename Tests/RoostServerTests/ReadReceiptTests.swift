import Foundation
import RoostClient
import Testing

@Suite("Read receipts")
struct ReadReceiptTests {
    @Test func readGoesToThePeerAndTheReadersOtherDevices() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let b = try await TestClient.connect(server, bob)
            let ids = try await b.sendTexts(3, to: alice.userID)
            let a1 = try await TestClient.connect(server, alice, device: "one")
            let a2 = try await TestClient.connect(server, alice, device: "two")
            _ = try await a1.items(3)
            _ = try await a2.items(3)

            let ack = try await a1.call("read", ["conversation": "u:\(bob.userID)", "up_to": ids[1]])
            let seq = try #require(ack["seq"] as? Int)
            #expect(seq == 4, "after alice's 3 message items")
            let own = try await a2.item(ofType: "read")
            #expect(own.seq == seq)
            #expect(own.data["conversation"] as? String == "u:\(bob.userID)")
            #expect(own.data["reader"] as? String == alice.userID && own.data["up_to"] as? String == ids[1])
            let peer = try await b.item(ofType: "read")
            #expect(peer.data["conversation"] as? String == "u:\(alice.userID)")
            #expect(peer.data["reader"] as? String == alice.userID && peer.data["up_to"] as? String == ids[1])
            #expect(await a1.itemsWithin(.milliseconds(300)).isEmpty, "the reading connection holds its item")

            // Backward or repeated: acked without seq, no item anywhere, position kept.
            for upTo in [ids[0], ids[1]] {
                let again = try await a1.call("read", ["conversation": "u:\(bob.userID)", "up_to": upTo])
                #expect(again["seq"] == nil)
            }
            #expect(await b.itemsWithin(.milliseconds(300)).filter { $0.type == "read" && $0.seq > peer.seq }.isEmpty)
            #expect(try await server.unread(alice, in: "u:\(bob.userID)") == 1)

            // Synced later, the item is the same as pushed.
            let page = try await a1.sync(since: seq - 1)
            let stored = try #require((page["items"] as? [[String: Any]])?.first)
            #expect(stored["type"] as? String == "read")
            #expect((stored["data"] as? [String: Any])?["up_to"] as? String == ids[1])
        }
    }

    @Test func upToMustBeAMessageOfTheConversation() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            let withBob = try await a.sendTexts(1, to: bob.userID)
            _ = try await a.sendTexts(1, to: carol.userID)
            for (data, code) in [(["conversation": "u:\(carol.userID)", "up_to": withBob[0]], "not_found"),
                                 (["conversation": "u:\(bob.userID)", "up_to": "123"], "not_found"),
                                 (["conversation": "u:\(bob.userID)", "up_to": "x"], "not_found"),
                                 (["conversation": "u:987654321", "up_to": withBob[0]], "not_found"),
                                 (["conversation": "bob", "up_to": withBob[0]], "bad_request"),
                                 (["conversation": "g:77", "up_to": withBob[0]], "forbidden")] {
                #expect(try await a.request("read", data).errorCode == code, "\(data)")
            }
            // Reading up to your own message is allowed (it is in the conversation).
            #expect(try await a.call("read", ["conversation": "u:\(bob.userID)", "up_to": withBob[0]])["seq"] is Int)
        }
    }
}
