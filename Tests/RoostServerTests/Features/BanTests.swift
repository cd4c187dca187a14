import Foundation
import Logging
import RoostClient
import RoostStorage
import Testing

/// Bans (PROTOCOL.md 9) and account changes made by the admin CLI on the data
/// directory while the server runs: the sockets concerned close within a second.
@Suite("Bans and CLI account changes")
struct BanTests {
    static func expectKicked(_ client: TestClient, reason: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        let kicked = await client.waitFor(timeout: .seconds(1)) { $0.type == "kicked" }
        #expect(kicked?.data["reason"] as? String == reason, sourceLocation: sourceLocation)
        let closed = await client.socket.waitClosed(timeout: .seconds(1))
        #expect(closed.closed && closed.code == 4401, "closed: \(closed)", sourceLocation: sourceLocation)
    }

    /// A second store on the server's data directory, as `roost user ...` opens it.
    static func cliStore(_ server: LiveServer) throws -> SQLiteStore {
        var logger = Logger(label: "roost.test.cli")
        logger.logLevel = .error
        return try SQLiteStore(path: server.dataDirectory + "/roost.sqlite", logger: logger)
    }

    @Test func anAdminBanKicksRevokesAndRefusesLogin() async throws {
        try await LiveServer.run(configure: { $0.push.allowPrivateAddresses = true }) { server in
            let admin = try await server.newUser("root"), bob = try await server.newUser("b")
            let b = try await TestClient.connect(server, bob)
            let password = "password-\(bob.username)"
            let registered = try await server.http.request("PUT", "/api/push",
                                                           json: ["device": "phone", "endpoint": "http://127.0.0.1:9/push"],
                                                           token: bob.token)
            #expect(registered.status == 200)
            #expect(try await server.http.request("POST", "/api/admin/users/\(bob.username)/ban", token: bob.token).status == 403)
            let ban = try await server.http.request("POST", "/api/admin/users/\(bob.username)/ban", token: admin.token)
            #expect(ban.status == 200)
            await Self.expectKicked(b, reason: "banned")
            #expect(try await server.http.request("GET", "/api/me", token: bob.token).status == 401)
            let cli = try Self.cliStore(server)
            #expect(try await cli.pushEndpoints(user: try #require(Int64(bob.userID))).isEmpty, "a ban drops push endpoints")
            try await cli.close()
            let login = try await server.http.request("POST", "/api/login", json: ["username": bob.username, "password": password])
            #expect(login.status == 403)
            let wrong = try await server.http.request("POST", "/api/login", json: ["username": bob.username, "password": "wrong-password"])
            #expect(wrong.status == 401)
            #expect(try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(bob.token)").status == 401)

            #expect(try await server.http.request("POST", "/api/admin/users/\(bob.username)/unban", token: admin.token).status == 200)
            let again = try await server.http.account(username: bob.username, password: password, register: false)
            #expect(try await server.http.request("GET", "/api/me", token: again.token).status == 200)
        }
    }

    @Test(.disabled(if: ServerTestDatabase.baseURL != nil, "reads the SQLite data directory")) func cliBanPasswdAndDelCloseSocketsOfARunningServer() async throws {
        try await LiveServer.run(configure: { $0.accountEventInterval = .milliseconds(100) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let cli = try Self.cliStore(server)

            _ = try await cli.setBanned(user: try #require(Int64(bob.userID)), banned: true)
            await Self.expectKicked(b, reason: "banned")

            try await cli.setPassword(userID: try #require(Int64(alice.userID)), passwordHash: "$2b$04$invalidinvalidinvalidinvalidinvalidinvalidinvalidinval")
            await Self.expectKicked(a, reason: "revoked")

            try await cli.deleteUser(userID: try #require(Int64(carol.userID)))
            await Self.expectKicked(c, reason: "deleted")
            try await cli.close()
        }
    }

    @Test(.disabled(if: ServerTestDatabase.baseURL != nil, "reads the SQLite data directory")) func aNewerTokenSurvivesAnOlderRevocation() async throws {
        try await LiveServer.run(configure: { $0.accountEventInterval = .milliseconds(300) }) { server in
            let alice = try await server.newUser("a")
            let old = try await TestClient.connect(server, alice, device: "old")
            let cli = try Self.cliStore(server)
            try await cli.revokeTokens(userID: try #require(Int64(alice.userID)))
            try await cli.close()
            // Log in again before the server polls: the new socket stays, the old one goes.
            let fresh = try await server.http.account(username: alice.username, password: "password-\(alice.username)", register: false)
            let new = try await TestClient.connect(server, fresh, device: "new")
            await Self.expectKicked(old, reason: "revoked")
            try await new.heartbeat()
            #expect(await new.waitFor(timeout: .milliseconds(500)) { $0.type == "kicked" } == nil)
        }
    }
}
