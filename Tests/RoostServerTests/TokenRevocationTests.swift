import Foundation
import RoostClient
import Testing

/// `POST /api/logout` and `POST /api/password` (PROTOCOL.md 8): the token
/// version is bumped, and every open socket of the user is kicked within a second.
@Suite("Token revocation")
struct TokenRevocationTests {
    /// Waits for `kicked` `revoked` and close 4401 on `client`, within a second.
    static func expectRevoked(_ client: TestClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        let kicked = await client.waitFor(timeout: .seconds(1)) { $0.type == "kicked" }
        #expect(kicked?.data["reason"] as? String == "revoked", sourceLocation: sourceLocation)
        let closed = await client.socket.waitClosed(timeout: .seconds(1))
        #expect(closed.closed && closed.code == 4401, "closed: \(closed)", sourceLocation: sourceLocation)
    }

    @Test func logoutRevokesEveryTokenAndKicksEveryDevice() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let second = try await server.http.account(username: alice.username, password: "password-\(alice.username)",
                                                       register: false)
            let phone = try await TestClient.connect(server, alice, device: "phone")
            let laptop = try await TestClient.connect(server, second, device: "laptop")
            let b = try await TestClient.connect(server, bob)

            let reply = try await server.http.request("POST", "/api/logout", token: alice.token)
            #expect(reply.status == 200)
            await Self.expectRevoked(phone)
            await Self.expectRevoked(laptop)
            // The kicked sockets leave the registry (no stale device, no stale presence).
            let user = try #require(Int64(alice.userID))
            let deadline = ContinuousClock.now + .seconds(2)
            while server.services.registry.deviceCount(of: user) > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.services.registry.deviceCount(of: user) == 0)
            // Both tokens are dead everywhere; other users are untouched.
            for token in [alice.token, second.token] {
                #expect(try await server.http.request("GET", "/api/me", token: token).status == 401)
                let upgrade = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(token)")
                #expect(upgrade.status == 401)
            }
            #expect(try await server.http.request("POST", "/api/logout", token: alice.token).status == 401)
            try await b.heartbeat()
            // A fresh login works again.
            let again = try await server.http.account(username: alice.username, password: "password-\(alice.username)",
                                                      register: false)
            #expect(try await server.http.request("GET", "/api/me", token: again.token).status == 200)
        }
    }

    @Test func passwordChangeRevokesOtherTokensAndReturnsANewOne() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let oldPassword = "password-\(alice.username)"
            let ws = try await TestClient.connect(server, alice)

            let wrong = try await server.http.request("POST", "/api/password",
                                                      json: ["old_password": "not-the-password", "new_password": "new-password-1"],
                                                      token: alice.token)
            #expect(wrong.status == 403 && wrong.errorCode == "forbidden")
            let short = try await server.http.request("POST", "/api/password",
                                                      json: ["old_password": oldPassword, "new_password": "short"],
                                                      token: alice.token)
            #expect(short.status == 400)
            try await ws.heartbeat()

            let changed = try await server.http.request("POST", "/api/password",
                                                        json: ["old_password": oldPassword, "new_password": "new-password-1"],
                                                        token: alice.token)
            #expect(changed.status == 200)
            let token = try #require(changed.json["token"] as? String)
            #expect(changed.json["expires_at"] is Int)
            await Self.expectRevoked(ws)
            #expect(try await server.http.request("GET", "/api/me", token: alice.token).status == 401)
            #expect(try await server.http.request("GET", "/api/me", token: token).status == 200)

            let oldLogin = try await server.http.request("POST", "/api/login",
                                                         json: ["username": alice.username, "password": oldPassword])
            #expect(oldLogin.status == 401)
            let newLogin = try await server.http.request("POST", "/api/login",
                                                         json: ["username": alice.username, "password": "new-password-1"])
            #expect(newLogin.status == 200)
            // The returned token opens a socket.
            let fresh = TestClient(socket: try await RoostSocket.connect(url: server.http.webSocketURL(token: token)))
            #expect(await fresh.nextFrame()?.type == "welcome")
            try await fresh.heartbeat()
        }
    }
}
