import Foundation
import RoostClient
import Testing

/// `GET /ws` before the upgrade: Origin, token, device and since checks (PROTOCOL.md 1).
@Suite("WebSocket upgrade checks")
struct UpgradeTests {
    @Test func badTokensAreRefusedWith401BeforeTheUpgrade() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let parts = alice.token.split(separator: ".").map(String.init)
            let alg = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0" // {"alg":"none","typ":"JWT"}
            var flipped = Array(parts[2])
            let middle = flipped.count / 2
            flipped[middle] = flipped[middle] == "A" ? "B" : "A"
            let cases: [(String, String)] = [
                ("empty", ""),
                ("malformed", "not-a-jwt"),
                ("tampered signature", "\(parts[0]).\(parts[1]).\(String(flipped))"),
                ("tampered payload", "\(parts[0]).\(parts[1])x.\(parts[2])"),
                ("alg none", "\(alg).\(parts[1])."),
                ("alg none, keys in the other order", "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.\(parts[1]).\(parts[2])"), // {"typ":"JWT","alg":"none"}
                ("signature stripped", "\(parts[0]).\(parts[1])."),
            ]
            for (label, token) in cases {
                let reply = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(token)")
                #expect(reply.status == 401, "\(label): \(reply.status)")
                #expect(reply.body.contains("\"unauthenticated\""), "\(label): \(reply.body)")
            }
        }
    }

    @Test func expiredTokenIsRefused() async throws {
        try await LiveServer.run(configure: { $0.core.tokenLifetime = .seconds(-60) }) { server in
            let alice = try await server.newUser("a")
            let reply = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)")
            #expect(reply.status == 401)
        }
    }

    @Test func badDeviceAndNegativeSinceAre400() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            for query in ["device=bad%20name", "device=\(String(repeating: "d", count: 65))", "since=-1", "since=abc"] {
                let reply = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)&\(query)")
                #expect(reply.status == 400, "\(query): \(reply.status) \(reply.body)")
                #expect(reply.body.contains("\"bad_request\""))
            }
        }
    }

    @Test func foreignOriginIs403AndOwnOriginIsAccepted() async throws {
        try await LiveServer.run(configure: { $0.allowedOrigins = ["https://chat.example.org"] }) { server in
            let alice = try await server.newUser("a")
            let foreign = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)",
                                                    extra: ["Origin": "https://evil.example.com"])
            #expect(foreign.status == 403)
            // The Origin check comes before the token check.
            let foreignNoToken = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=bad",
                                                           extra: ["Origin": "https://evil.example.com"])
            #expect(foreignNoToken.status == 403)
            let own = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)",
                                                extra: ["Origin": "http://127.0.0.1:\(server.port)"])
            #expect(own.status == 101)
            let listed = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)",
                                                   extra: ["Origin": "https://chat.example.org"])
            #expect(listed.status == 101)
        }
    }

    @Test func validTokenGetsWelcomeWithCursorFields() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let ws = try await TestClient.connect(server, alice, device: "phone")
            #expect(ws.welcome["user_id"] as? String == alice.userID)
            #expect(ws.welcome["device"] as? String == "phone")
            #expect(ws.welcome["head_seq"] as? Int == 0)
            #expect(ws.welcome["acked_seq"] as? Int == 0)
            #expect((ws.welcome["epoch"] as? String)?.isEmpty == false)
            #expect(ws.welcome["seq"] == nil)
        }
    }
}
