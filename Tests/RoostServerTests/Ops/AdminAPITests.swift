import Foundation
import RoostClient
import Testing

/// The running server's admin API closes a user's sockets at once, which the
/// offline CLI on the data directory cannot do.
@Suite("Admin API")
struct AdminAPITests {
    @Test func revokeKicksTheUsersSocketsAndRefusesTheOldToken() async throws {
        try await LiveServer.run { server in
            let admin = try await server.newUser("admin")     // the first account is the admin
            let bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, bob)
            let forbidden = try await server.http.request("POST", "/api/admin/users/\(admin.username)/revoke", token: bob.token)
            #expect(forbidden.status == 403 && forbidden.errorCode == "forbidden", "only admins")
            let reply = try await server.http.request("POST", "/api/admin/users/\(bob.username)/revoke", token: admin.token)
            #expect(reply.status == 200)
            let kicked = try #require(await ws.waitFor(timeout: .seconds(1)) { $0.type == "kicked" })
            #expect(kicked.data["reason"] as? String == "revoked")
            #expect(await ws.socket.waitClosed(timeout: .seconds(1)).code == 4401)
            #expect(try await server.http.request("GET", "/api/me", token: bob.token).status == 401)
        }
    }

    @Test func deleteKicksWithDeletedAndTheAccountIsGone() async throws {
        try await LiveServer.run { server in
            let admin = try await server.newUser("admin")
            let bob = try await server.newUser("b")
            let ws = try await TestClient.connect(server, bob)
            let reply = try await server.http.request("DELETE", "/api/admin/users/\(bob.username)", token: admin.token)
            #expect(reply.status == 200)
            let kicked = try #require(await ws.waitFor(timeout: .seconds(1)) { $0.type == "kicked" })
            #expect(kicked.data["reason"] as? String == "deleted")
            #expect(await ws.socket.waitClosed(timeout: .seconds(1)).code == 4401)
            #expect(try await server.http.request("GET", "/api/users/\(bob.username)", token: admin.token).status == 404)
            let missing = try await server.http.request("DELETE", "/api/admin/users/nobody-here", token: admin.token)
            #expect(missing.status == 404)
        }
    }
}
