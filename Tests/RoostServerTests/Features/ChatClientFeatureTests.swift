import Foundation
import RoostClient
import Testing

/// The terminal client shows edits, replies and reactions, and sends them.
@Suite("Terminal client: edits, replies, reactions, search")
struct ChatClientFeatureTests {
    @Test func showsAndSendsEditsRepliesReactionsAndSearches() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let b = try await TestClient.connect(server, bob)
            let transcript = Transcript()
            var options = ChatSession.Options(server: "http://127.0.0.1:\(server.port)", username: alice.username,
                                              password: "password-\(alice.username)")
            options.stateFile = nil
            let session = ChatSession(options: options) { transcript.append($0) }
            let (lines, input) = AsyncStream.makeStream(of: String.self)
            let running = Task { try await session.run(lines: lines) }
            #expect(await transcript.waitFor("connected as \(alice.username)"))
            input.yield("/open \(bob.username)")
            #expect(await transcript.waitFor("talking to \(bob.username)"))

            // Bob writes; alice replies with /reply, bob sees reply_to.
            let question = try #require(try await b.sendText("kayak on sunday?", to: alice.userID)["message_id"] as? String)
            #expect(await transcript.waitFor("kayak on sunday?"))
            input.yield("/reply yes!")
            let reply = try await b.item(ofType: "message")
            #expect((reply.data["content"] as? [String: Any])?["reply_to"] as? String == question)

            // Bob replies to alice's reply: alice's client quotes it.
            _ = try await b.call("send_message", ["to": alice.userID, "content": ["text": "great", "reply_to": reply.messageID ?? ""]])
            #expect(await transcript.waitFor("(↪ yes!) great"))

            // Bob edits and reacts: alice's client shows both.
            let typo = try #require(try await b.sendText("see you at 9", to: alice.userID)["message_id"] as? String)
            _ = try await b.call("edit", ["message_id": typo, "content": ["text": "see you at 10"]])
            #expect(await transcript.waitFor("edited a message in \(bob.username): see you at 10"))
            _ = try await b.call("react", ["message_id": typo, "emoji": "🚣"])
            #expect(await transcript.waitFor("reacted 🚣"))

            // Alice edits her own latest message and reacts to the latest one.
            input.yield("/edit yes, sure!")
            let edit = try await b.item(ofType: "edit")
            #expect((edit.data["content"] as? [String: Any])?["text"] as? String == "yes, sure!")
            input.yield("/react 👍")
            let reaction = try await b.item(ofType: "reaction")
            #expect(reaction.data["emoji"] as? String == "👍" && reaction.messageID == nil)

            input.yield("/search kayak")
            #expect(await transcript.waitFor("\(bob.username) · \(bob.username): kayak on sunday?"))
            input.finish()
            try await running.value
        }
    }
}
