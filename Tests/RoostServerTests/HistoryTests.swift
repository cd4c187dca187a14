import Foundation
import RoostClient
import Testing

@Suite("History")
struct HistoryTests {
    @Test func pagesAreNewestFirstByMessageID() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            let ids = try await a.sendTexts(7, to: bob.userID)
            let newestFirst = Array(ids.reversed())

            let first = try await a.historyPage("u:\(bob.userID)", limit: 3)
            #expect(first.ids == Array(newestFirst[0..<3]) && first.hasMore)
            let second = try await a.historyPage("u:\(bob.userID)", before: first.ids.last, limit: 3)
            #expect(second.ids == Array(newestFirst[3..<6]) && second.hasMore)
            let third = try await a.historyPage("u:\(bob.userID)", before: second.ids.last, limit: 3)
            #expect(third.ids == [ids[0]] && !third.hasMore)
            let record = try #require(first.records.first)
            #expect(record["conversation"] as? String == "u:\(bob.userID)")
            #expect((record["content"] as? [String: Any])?["text"] as? String == "m6")

            // The other side, over HTTP, sees the same messages under its own conversation id.
            let reply = try await server.http.request("GET", "/api/messages?conversation=u:\(alice.userID)", token: bob.token)
            #expect(reply.status == 200)
            let records = try #require(reply.json["messages"] as? [[String: Any]])
            #expect(records.compactMap { $0["message_id"] as? String } == newestFirst)
            #expect(records.allSatisfy { $0["conversation"] as? String == "u:\(alice.userID)" })
            #expect(reply.json["has_more"] as? Bool == false)
            let paged = try await server.http.request(
                "GET", "/api/messages?conversation=u:\(alice.userID)&before=\(ids[3])&limit=2", token: bob.token)
            #expect((paged.json["messages"] as? [[String: Any]])?.compactMap { $0["message_id"] as? String } == [ids[2], ids[1]])
            #expect(paged.json["has_more"] as? Bool == true)
        }
    }

    @Test func onlyParticipantsSeeAConversation() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            _ = try await a.sendTexts(2, to: bob.userID)
            // Carol's `u:alice` is her own (empty) conversation with alice, never alice and bob's.
            let c = try await TestClient.connect(server, carol)
            let page = try await c.historyPage("u:\(alice.userID)")
            #expect(page.ids.isEmpty && !page.hasMore)
            // Groups need membership; one that does not exist is forbidden like any other.
            #expect(try await c.request("history", ["conversation": "g:424242"]).errorCode == "forbidden")
            let http = try await server.http.request("GET", "/api/messages?conversation=g:424242", token: carol.token)
            #expect(http.status == 403)
            #expect(try await server.http.request("GET", "/api/messages?conversation=u:\(bob.userID)").status == 401)
        }
    }

    @Test func parameterErrors() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            _ = try await a.sendTexts(3, to: bob.userID)
            let conv = "u:\(bob.userID)"
            for (data, code) in [(["conversation": conv, "limit": 0], "bad_request"),
                                 (["conversation": conv, "limit": -1], "bad_request"),
                                 (["conversation": "x:1"], "bad_request"),
                                 (["conversation": "u:abc"], "bad_request"),
                                 (["conversation": conv, "before": "nope"], "bad_request"),
                                 (["conversation": "u:987654321"], "not_found")] as [([String: Any], String)] {
                #expect(try await a.request("history", data).errorCode == code, "\(data)")
            }
            let clamped = try await a.historyPage(conv, limit: 100_000)
            #expect(clamped.ids.count == 3 && !clamped.hasMore)
            for (query, status) in [("conversation=\(conv)&limit=0", 400), ("conversation=\(conv)&limit=ten", 400),
                                    ("conversation=bob", 400), ("limit=5", 400), ("conversation=u:987654321", 404)] {
                let reply = try await server.http.request("GET", "/api/messages?\(query)", token: alice.token)
                #expect(reply.status == status, "\(query)")
                #expect(reply.errorCode != nil)
            }
        }
    }

    @Test func recalledMessagesAppearAsRecalled() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            let ids = try await a.sendTexts(2, to: bob.userID)
            _ = try await a.call("recall", ["message_id": ids[0]])
            let reply = try await server.http.request("GET", "/api/messages?conversation=u:\(alice.userID)", token: bob.token)
            let records = try #require(reply.json["messages"] as? [[String: Any]])
            let recalled = try #require(records.first { $0["message_id"] as? String == ids[0] })
            #expect(recalled["recalled"] as? Bool == true)
            #expect(recalled["content"] == nil || recalled["content"] is NSNull)
            let kept = try #require(records.first { $0["message_id"] as? String == ids[1] })
            #expect(kept["recalled"] == nil && (kept["content"] as? [String: Any])?["text"] as? String == "m1")
        }
    }
}
