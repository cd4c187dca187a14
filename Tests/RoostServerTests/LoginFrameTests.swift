import Foundation
import RoostClient
import Testing

/// The `login` frame flow on a connection opened without a token (PROTOCOL.md 1, 5).
@Suite("Login frame flow")
struct LoginFrameTests {
    @Test func loginFrameAuthenticates() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connectBare(server)
            let ack = try await ws.call("login", ["token": alice.token, "device": "laptop"])
            #expect(ack["user_id"] as? String == alice.userID)
            #expect(ack["device"] as? String == "laptop")
            #expect(ack["head_seq"] as? Int == 0 && ack["acked_seq"] as? Int == 0)
            #expect(ack["epoch"] is String)
            try await ws.heartbeat()
            let again = try await ws.request("login", ["token": alice.token])
            #expect(again.errorCode == "conflict", "a second login is a conflict")
        }
    }

    @Test func firstFrameOtherThanLoginClosesWith4401() async throws {
        try await LiveServer.run { server in
            for first in ["{\"type\":\"heartbeat\",\"message_id\":\"x1\"}", "not json"] {
                let ws = try await TestClient.connectBare(server)
                ws.socket.send(first)
                let error = try #require(await ws.nextFrame())
                #expect(error.errorCode == "unauthenticated", "\(first): \(error)")
                let (closed, code) = await ws.socket.waitClosed()
                #expect(closed && code == 4401, "\(first): closed=\(closed) code=\(String(describing: code))")
            }
            let binary = try await TestClient.connectBare(server)
            binary.socket.sendBinary([1, 2, 3])
            #expect(try #require(await binary.nextFrame()).errorCode == "unauthenticated")
            #expect(await binary.socket.waitClosed().code == 4401)
        }
    }

    @Test func badTokenInLoginClosesWith4401() async throws {
        try await LiveServer.run { server in
            let ws = try await TestClient.connectBare(server)
            let reply = try await ws.request("login", ["token": "nope"])
            #expect(reply.errorCode == "unauthenticated" && reply.ref != nil)
            #expect(await ws.socket.waitClosed().code == 4401)
        }
    }

    @Test func badDeviceOrSinceMayBeRetried() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connectBare(server)
            #expect(try await ws.request("login", ["token": alice.token, "device": "no spaces"]).errorCode == "bad_request")
            #expect(try await ws.request("login", ["token": alice.token, "since": -1]).errorCode == "bad_request")
            ws.sendFrame(["type": "login", "data": ["token": alice.token]])
            let noID = try #require(await ws.nextFrame())
            #expect(noID.errorCode == "bad_request" && noID.ref == nil, "login without message_id: \(noID)")
            let ack = try await ws.call("login", ["token": alice.token, "device": "ok"])
            #expect(ack["device"] as? String == "ok")
        }
    }

    @Test func sameDeviceReplacesTheOlderConnection() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let first = try await TestClient.connect(server, alice, device: "phone")
            _ = try await TestClient.connect(server, alice, device: "phone")
            let kicked = try #require(await first.waitFor { $0.type == "kicked" })
            #expect(kicked.data["reason"] as? String == "replaced")
            #expect(await first.socket.waitClosed().code == 4409)
        }
    }
}
