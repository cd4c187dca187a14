import Foundation
import RoostClient
import Testing

/// `GET /api/search` (PROTOCOL.md 9): FTS5 over live content, only what the
/// searcher may read now.
@Suite("Search")
struct SearchTests {
    static func search(_ server: LiveServer, _ account: RoostHTTP.Account, _ query: String,
                       conversation: String? = nil, limit: Int? = nil) async throws -> RoostHTTP.Response {
        var path = "/api/search?q=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query)
        if let conversation { path += "&conversation=\(conversation)" }
        if let limit { path += "&limit=\(limit)" }
        return try await server.http.request("GET", path, token: account.token)
    }

    static func hits(_ server: LiveServer, _ account: RoostHTTP.Account, _ query: String,
                     conversation: String? = nil) async throws -> [[String: Any]] {
        let reply = try await search(server, account, query, conversation: conversation)
        try #require(reply.status == 200, "search: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        return try #require(reply.json["messages"] as? [[String: Any]])
    }

    @Test func findsRankedMatchesWithSnippetsWhereTheSearcherMayRead() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let group = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice), c = try await TestClient.connect(server, carol)
            let direct = try #require(try await a.sendText("The pelican flies over the harbour at dawn", to: bob.userID)["message_id"] as? String)
            let grouped = try #require(try await a.sendGroupText("pelican pelican: the group's bird, Pélican", group: group)["message_id"] as? String)
            _ = try await c.sendText("a pelican for alice only", to: alice.userID)
            _ = try await a.sendText("nothing to see", to: bob.userID)

            let found = try await Self.hits(server, bob, "pelican")
            #expect(found.map { $0["message_id"] as? String } == [grouped, direct], "best match first")
            let first = found[0]
            #expect(first["conversation"] as? String == "g:\(group)")
            #expect((first["content"] as? [String: Any])?["text"] as? String != nil)
            let snippet = try #require(found[1]["snippet"] as? String)
            #expect(snippet.contains("pelican") && !snippet.contains("<"))
            // Diacritics fold; several words must all match; query syntax is plain text.
            #expect(try await Self.hits(server, bob, "PELICAN harbour").map { $0["message_id"] as? String } == [direct])
            #expect(try await Self.hits(server, bob, "pélican dawn").count == 1)
            #expect(try await Self.hits(server, bob, "pelican OR nothing \"").count == 0)
            #expect(try await Self.hits(server, bob, "NEAR(pelican* ^").count == 0)
            // Limited to one conversation.
            #expect(try await Self.hits(server, bob, "pelican", conversation: "u:\(alice.userID)").map { $0["message_id"] as? String } == [direct])
            // Alice sees carol's too; carol sees only her own conversation.
            #expect(try await Self.hits(server, alice, "pelican").count == 3)
            #expect(try await Self.hits(server, carol, "pelican").count == 1)
        }
    }

    @Test func recalledEditedAndLeftContentNeverMatches() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let group = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice), b = try await TestClient.connect(server, bob)
            let recalled = try #require(try await a.sendText("walrus secret", to: bob.userID)["message_id"] as? String)
            let edited = try #require(try await a.sendText("an otter here", to: bob.userID)["message_id"] as? String)
            _ = try await a.sendGroupText("narwhal in the group", group: group)
            #expect(try await Self.hits(server, bob, "walrus").count == 1)

            _ = try await a.call("recall", ["message_id": recalled])
            #expect(try await Self.hits(server, bob, "walrus").isEmpty)
            _ = try await a.call("edit", ["message_id": edited, "content": ["text": "a beaver here"]])
            #expect(try await Self.hits(server, bob, "otter").isEmpty)
            #expect(try await Self.hits(server, bob, "beaver").map { $0["message_id"] as? String } == [edited])

            #expect(try await Self.hits(server, bob, "narwhal").count == 1)
            _ = try await b.call("leave_group", ["group_id": group])
            #expect(try await Self.hits(server, bob, "narwhal").isEmpty)
            #expect(try await Self.search(server, bob, "narwhal", conversation: "g:\(group)").status == 403)
        }
    }

    @Test func parameters() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let a = try await TestClient.connect(server, alice)
            for i in 0..<105 { _ = try await a.sendText("heron \(i)", to: alice.userID) }
            #expect(try await server.http.request("GET", "/api/search", token: alice.token).status == 400)
            #expect(try await Self.search(server, alice, "").status == 400)
            #expect(try await Self.search(server, alice, "heron", limit: 0).status == 400)
            #expect(try await Self.search(server, alice, "heron", conversation: "nope").status == 400)
            // Control characters separate words (a NUL would end an FTS5 string early).
            #expect(try await Self.hits(server, alice, "her\u{0}on\u{1F}").isEmpty)
            #expect(try await Self.hits(server, alice, "\u{0}heron").count == 20)
            #expect(try await Self.search(server, alice, "heron", conversation: "g:123456").status == 403)
            #expect(try await Self.search(server, alice, "heron", conversation: "u:987654").status == 403)
            #expect(try await Self.hits(server, alice, "heron").count == 20)
            #expect(try await Self.search(server, alice, "heron", limit: 500).json["messages"].map { ($0 as? [Any])?.count } == 100)
            #expect(try await server.http.request("GET", "/api/search?q=heron").status == 401)
        }
    }
}
