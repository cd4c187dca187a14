import Foundation
import RoostClient
import Testing

/// 1:1 messaging while online, idempotency and the request/response rules.
@Suite("1:1 messaging")
struct MessagingTests {
    @Test func onlineDeliveryToReceiverAndSendersOtherDevice() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let bobWS = try await TestClient.connect(server, bob)
            let tablet = try await TestClient.connect(server, alice, device: "tablet")
            let phone = try await TestClient.connect(server, alice, device: "phone")
            let ack = try await phone.sendText("hi bob", to: bob.userID, id: "c-1")
            let messageID = try #require(ack["message_id"] as? String)
            #expect(UInt64(messageID) != nil, "Snowflake ids are decimal strings")
            #expect(ack["seq"] as? Int == 1)

            let received = try await bobWS.items(1)[0]
            #expect(received.type == "message" && received.seq == 1)
            #expect(received.messageID == messageID)
            #expect(received.data["conversation"] as? String == "u:\(alice.userID)")
            #expect(received.data["from"] as? String == alice.userID)
            #expect(received.data["client_id"] as? String == "c-1")
            #expect(received.text == "hi bob")

            let copy = try await tablet.items(1)[0]
            #expect(copy.seq == 1 && copy.messageID == messageID)
            #expect(copy.data["conversation"] as? String == "u:\(bob.userID)")
            #expect(await phone.itemsWithin(.milliseconds(300)).isEmpty, "the sending device holds its copy already")
        }
    }

    @Test func resendWithTheSameMessageIDStoresOneMessage() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let phone = try await TestClient.connect(server, alice, device: "phone")
            var first = try await phone.sendText("once", to: bob.userID, id: "same-id")
            var second = try await phone.sendText("once", to: bob.userID, id: "same-id")
            first["ref"] = nil
            second["ref"] = nil
            #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
            phone.close()
            // Across a reconnect (the ack was lost with the connection) it is still one message.
            let again = try await TestClient.connect(server, alice, device: "phone")
            var third = try await again.sendText("once", to: bob.userID, id: "same-id")
            third["ref"] = nil
            #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: third))
            let bobItems = try await TestClient.connect(server, bob).sync(since: 0)["items"] as? [Any]
            #expect(bobItems?.count == 1)
            // Another device with the same request id sends a new message.
            let tablet = try await TestClient.connect(server, alice, device: "tablet")
            let other = try await tablet.sendText("twice", to: bob.userID, id: "same-id")
            #expect(other["message_id"] as? String != first["message_id"] as? String)
        }
    }

    @Test func badInputGetsErrorsAndTheConnectionSurvives() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            ws.socket.send("not json")
            #expect(try #require(await ws.nextFrame()).errorCode == "bad_request")
            ws.socket.send("[1,2]")
            let notObject = try #require(await ws.nextFrame())
            #expect(notObject.errorCode == "bad_request" && notObject.ref == nil)
            ws.sendFrame(["type": 5, "message_id": "m1"])
            #expect(try #require(await ws.nextFrame()).errorCode == "bad_request")
            ws.sendFrame(["type": "heartbeat"])
            let noID = try #require(await ws.nextFrame())
            #expect(noID.errorCode == "bad_request" && noID.ref == nil)
            let unknown = try await ws.request("fly_to_the_moon")
            #expect(unknown.errorCode == "bad_request" && unknown.ref != nil)
            let cases: [([String: Any], String)] = [
                (["to": bob.userID, "content": ["text": ""]], "bad_request"),
                (["to": bob.userID, "content": ["text": 42]], "bad_request"),
                (["to": bob.userID], "bad_request"),
                (["content": ["text": "x"]], "bad_request"),
                (["to": bob.userID, "group_id": "1", "content": ["text": "x"]], "bad_request"),
                (["to": "999999", "content": ["text": "x"]], "not_found"),
                (["to": bob.userID, "content": ["text": String(repeating: "x", count: 16 * 1024 + 1)]], "too_large"),
                (["to": bob.userID, "content": ["file_id": "123"]], "not_found"),
                (["group_id": "424242", "content": ["text": "x"]], "forbidden"),
            ]
            for (data, code) in cases {
                let reply = try await ws.request("send_message", data)
                #expect(reply.errorCode == code, "\(data): \(reply)")
            }
            ws.socket.sendBinary([0, 1])
            #expect(try #require(await ws.nextFrame()).errorCode == "bad_request")
            try await ws.heartbeat()
            let ok = try await ws.sendText(String(repeating: "x", count: 16 * 1024), to: bob.userID)
            #expect(ok["seq"] as? Int == 1)
        }
    }

    @Test func oversizeFrameClosesWith1009AndKeepsWhatWasCommitted() async throws {
        try await LiveServer.run(configure: { $0.maxFrameBytes = 4096 }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            _ = try await ws.sendText("before", to: bob.userID)
            ws.socket.send(String(repeating: "y", count: 5000))
            #expect(await ws.socket.waitClosed().code == 1009)
            let page = try await TestClient.connect(server, bob).sync(since: 0)
            #expect((page["items"] as? [Any])?.count == 1)
        }
    }

    @Test func heartbeatAndNoAnswerToAckOrTyping() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, alice)
            let before = Int(Date().timeIntervalSince1970 * 1000)
            let beat = try await ws.call("heartbeat")
            let time = try #require(beat["server_time"] as? Int)
            #expect(abs(time - before) < 10_000)
            ws.sendFrame(["type": "ack", "data": ["seq": 0], "message_id": "a1"])
            ws.sendFrame(["type": "typing", "data": ["to": bob.userID], "message_id": "t1"])
            let id = ws.send("heartbeat")
            let next = try #require(await ws.nextFrame())
            #expect(next.ref == id, "ack and typing are never answered; got \(next)")
        }
    }

    @Test func typingIsRelayedToTheOnlinePeerOnly() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let bobWS = try await TestClient.connect(server, bob)
            let ws = try await TestClient.connect(server, alice)
            ws.sendFrame(["type": "typing", "data": ["to": bob.userID]])
            ws.sendFrame(["type": "typing", "data": ["to": bob.userID]])
            let typing = try #require(await bobWS.waitFor { $0.type == "typing" })
            #expect(typing.data["from"] as? String == alice.userID)
            #expect(typing.data["conversation"] as? String == "u:\(alice.userID)")
            #expect(await bobWS.waitFor(timeout: .milliseconds(400)) { $0.type == "typing" } == nil,
                    "at most one typing per second per conversation")
        }
    }
}
