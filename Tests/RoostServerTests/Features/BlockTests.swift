import Foundation
import RoostClient
import Testing

/// `/api/blocks` (PROTOCOL.md 9): the blocked user's 1:1 sends, edits and
/// reactions toward the blocker are refused; presence and 1:1 typing stop
/// both ways; groups are unaffected.
@Suite("Blocking")
struct BlockTests {
    @Test func routes() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let http = server.http
            #expect(try await http.request("POST", "/api/blocks", json: ["user_id": alice.userID], token: alice.token).status == 400)
            #expect(try await http.request("POST", "/api/blocks", json: ["user_id": "987654"], token: alice.token).status == 404)
            #expect(try await http.request("POST", "/api/blocks", json: ["user_id": bob.userID]).status == 401)
            let ok = try await http.request("POST", "/api/blocks", json: ["user_id": bob.userID], token: alice.token)
            #expect(ok.status == 200 && ok.json["user_id"] as? String == bob.userID)
            #expect(try await http.request("POST", "/api/blocks", json: ["user_id": bob.userID], token: alice.token).status == 200)
            #expect(try await http.request("GET", "/api/blocks", token: alice.token).json["user_ids"] as? [String] == [bob.userID])
            #expect(try await http.request("GET", "/api/blocks", token: bob.token).json["user_ids"] as? [String] == [])
            #expect(try await http.request("DELETE", "/api/blocks/\(bob.userID)", token: alice.token).status == 200)
            #expect(try await http.request("GET", "/api/blocks", token: alice.token).json["user_ids"] as? [String] == [])
        }
    }

    @Test func theBlockedCannotWriteTheBlockerCan() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let group = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice), b = try await TestClient.connect(server, bob)
            let earlier = try #require(try await b.sendText("before", to: alice.userID)["message_id"] as? String)
            let fromAlice = try #require(try await a.sendText("hi bob", to: bob.userID)["message_id"] as? String)
            _ = try await server.http.request("POST", "/api/blocks", json: ["user_id": bob.userID], token: alice.token)

            #expect(try await b.request("send_message", ["to": alice.userID, "content": ["text": "hey"]]).errorCode == "forbidden")
            #expect(try await b.request("edit", ["message_id": earlier, "content": ["text": "x"]]).errorCode == "forbidden")
            #expect(try await b.request("react", ["message_id": fromAlice, "emoji": "👍"]).errorCode == "forbidden")
            // The blocker may still write, edit and react.
            #expect(try await a.call("send_message", ["to": bob.userID, "content": ["text": "still me"]])["seq"] is Int)
            #expect(try await a.call("react", ["message_id": earlier, "emoji": "👍"])["seq"] is Int)
            // Groups are unaffected.
            #expect(try await b.sendGroupText("group is fine", group: group)["seq"] is Int)
            // Unblocked: writing works again.
            _ = try await server.http.request("DELETE", "/api/blocks/\(bob.userID)", token: alice.token)
            #expect(try await b.call("send_message", ["to": alice.userID, "content": ["text": "thanks"]])["seq"] is Int)
        }
    }

    @Test func presenceAndTypingStopBothWays() async throws {
        try await LiveServer.run(configure: { $0.core.presenceDebounce = .milliseconds(50) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            _ = try await a.sendText("hello", to: bob.userID)
            let b = try await TestClient.connect(server, bob)
            #expect(await a.waitFor { $0.type == "presence" && $0.data["user_id"] as? String == bob.userID } != nil)
            func presence(_ of: RoostHTTP.Account, asking: RoostHTTP.Account) async throws -> [[String: Any]] {
                try await server.http.request("GET", "/api/presence?user_ids=\(of.userID)", token: asking.token)
                    .json["presence"] as? [[String: Any]] ?? []
            }
            #expect(try await presence(bob, asking: alice).count == 1)

            _ = try await server.http.request("POST", "/api/blocks", json: ["user_id": bob.userID], token: alice.token)
            // Each online side sees the other go offline at once, and neither is listed any more.
            let gone = await a.waitFor { $0.type == "presence" && $0.data["user_id"] as? String == bob.userID && $0.data["status"] as? String == "offline" }
            #expect(gone != nil)
            #expect(try await presence(bob, asking: alice).isEmpty)
            #expect(try await presence(alice, asking: bob).isEmpty)
            // Typing is not relayed either way.
            _ = b.send("typing", ["to": alice.userID])
            _ = a.send("typing", ["to": bob.userID])
            #expect(await a.waitFor(timeout: .milliseconds(400)) { $0.type == "typing" } == nil)
            #expect(await b.waitFor(timeout: .milliseconds(100)) { $0.type == "typing" } == nil)
            // A reconnecting blocked user announces nothing to the blocker.
            b.close()
            let b2 = try await TestClient.connect(server, bob, device: "other")
            #expect(await a.waitFor(timeout: .milliseconds(300)) { $0.type == "presence" && $0.data["status"] as? String == "online" } == nil)
            #expect(await b2.waitFor(timeout: .milliseconds(100)) { $0.type == "presence" && $0.data["user_id"] as? String == alice.userID } == nil)
        }
    }
}
