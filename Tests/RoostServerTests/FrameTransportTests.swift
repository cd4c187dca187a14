import Foundation
import Testing
@testable import RoostServer

/// The WebSocket transport the sessions run on (SessionFrameHandler): messages
/// put together from fragments, the size limit across fragments, and the same
/// behaviour on the library's path when permessage-deflate is negotiated.
@Suite("WebSocket transport")
struct FrameTransportTests {
    @Test func fragmentedMessageIsOneRequest() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            let frame = "{\"type\":\"send_message\",\"message_id\":\"frag-1\",\"data\":{\"to\":\"\(bob.userID)\","
                + "\"content\":{\"type\":\"text\",\"text\":\"in three pieces\"}}}"
            let third = frame.count / 3
            let pieces = [String(frame.prefix(third)), String(frame.dropFirst(third).prefix(third)),
                          String(frame.dropFirst(2 * third))]
            ws.socket.sendFragmented(pieces)
            let ack = try #require(await ws.waitFor { $0.ref == "frag-1" })
            #expect(ack.type == "ack")
            // Frames after a fragmented message are still handled, in order.
            try await ws.heartbeat()
            let receiver = try await TestClient.connect(server, bob)
            let page = try await receiver.sync(since: 0)
            let items = try #require(page["items"] as? [[String: Any]])
            let content = (items.first?["data"] as? [String: Any])?["content"] as? [String: Any]
            #expect(items.count == 1 && content?["text"] as? String == "in three pieces")
        }
    }

    @Test func fragmentsOverTheLimitCloseWith1009() async throws {
        try await LiveServer.run(configure: { $0.maxFrameBytes = 4096 }) { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connect(server, alice)
            // Each fragment is within the frame limit; the message is not.
            ws.socket.sendFragmented(Array(repeating: String(repeating: "z", count: 2000), count: 3))
            #expect(await ws.socket.waitClosed().code == 1009)
        }
    }

    @Test func manyRequestsInOneBurstAreAllAnsweredInOrder() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connect(server, alice)
            // More than the inbound queue holds before the socket stops being read.
            let ids = (0..<300).map { ws.send("heartbeat", id: "beat-\($0)") }
            var answered: [String] = []
            while answered.count < ids.count, let frame = await ws.waitFor(timeout: .seconds(5), { $0.type == "ack" }) {
                if let ref = frame.ref { answered.append(ref) }
            }
            #expect(answered == ids)
        }
    }

    @Test func backToBackSendsKeepTheirOrder() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            // Many sends without waiting for acks: they overlap in storage, and
            // still commit, ack and arrive in the order they were sent.
            let count = 150
            var ids: [String] = []
            for index in 0..<count {
                ids.append(ws.send("send_message", ["to": bob.userID, "content": ["text": "m\(index)"]]))
            }
            // A request after the sends sees all of them committed, and is
            // answered after their acks.
            let historyID = ws.send("history", ["conversation": "u:\(bob.userID)", "limit": 200])
            var answers: [Frame] = []
            while answers.count < count + 1,
                  let frame = await ws.waitFor(timeout: .seconds(5), { $0.type == "ack" || $0.type == "error" }) {
                answers.append(frame)
            }
            #expect(answers.map { $0.ref ?? "" } == ids + [historyID])
            #expect((answers.last?.data["messages"] as? [Any])?.count == count)
            let ackedSeqs = answers.dropLast().map { $0.data["seq"] as? Int ?? -1 }
            #expect(ackedSeqs == Array(1...count))
            let receiver = try await TestClient.connect(server, bob)
            let page = try await receiver.sync(since: 0, limit: 500)
            let items = try #require(page["items"] as? [[String: Any]])
            let texts = items.map { (($0["data"] as? [String: Any])?["content"] as? [String: Any])?["text"] as? String }
            #expect(texts == (0..<count).map { "m\($0)" })
        }
    }

    /// The server writes its text frames itself (TextFrameEncoding): the
    /// three length forms of RFC 6455 5.2 (7 bits, 16 bits, 64 bits) reach a
    /// client intact.
    @Test func framesOfEveryLengthFormArriveWhole() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            // 126-65,535 bytes: every pushed item; 64 KiB and more: a history page of large texts.
            let text = String(repeating: "é", count: 6_000)  // 12,000 bytes
            for index in 0..<8 {
                let id = ws.send("send_message", ["to": bob.userID, "content": ["text": "\(index)" + text]])
                #expect(try #require(await ws.waitFor { $0.ref == id }).type == "ack")
            }
            let historyID = ws.send("history", ["conversation": "u:\(bob.userID)", "limit": 50])
            let page = try #require(await ws.waitFor { $0.ref == historyID })
            let messages = try #require(page.data["messages"] as? [[String: Any]])
            let texts = messages.compactMap { ($0["content"] as? [String: Any])?["text"] as? String }
            #expect(Set(texts) == Set((0..<8).map { "\($0)" + text }))
            // Under 126 bytes: an ack with an empty result.
            let beat = ws.send("heartbeat", id: "b")
            #expect(try #require(await ws.waitFor { $0.ref == beat }).type == "ack")
        }
    }

    @Test func closeHandshakeAndPingsOnTheDirectPath() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connect(server, alice)
            // A ping is answered by the transport and the session carries on.
            ws.socket.ping()
            try await ws.heartbeat()
            // The client's close is answered and the socket ends at once (the
            // client's own close handshake would wait for the answer).
            ws.socket.close()
            let closed = await ws.socket.waitClosed(timeout: .seconds(2))
            #expect(closed.closed, "closed: \(closed)")
            // The server forgot the session.
            let user = try #require(Int64(alice.userID))
            let deadline = ContinuousClock.now + .seconds(2)
            while server.services.registry.deviceCount(of: user) > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.services.registry.deviceCount(of: user) == 0)
        }
    }
}
