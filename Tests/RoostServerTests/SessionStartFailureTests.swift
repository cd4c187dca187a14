import Foundation
import GRDB
import RoostClient
@testable import RoostStorage
import Testing

/// A session that cannot start for a reason of the server's own (its
/// storage failing) is closed with 1011 after an `internal` error, not 4401:
/// the token is good, and a client told "unauthenticated" would log in again
/// instead of reconnecting later.
@Suite("Session start failure")
struct SessionStartFailureTests {
    @Test func aStorageFailureAtSessionStartClosesWith1011() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let store = try #require(server.services.store as? SQLiteStore)
            // The session start reads the device cursor from this table.
            try await store.pool.write { db in try db.execute(sql: "ALTER TABLE devices RENAME TO devices_away") }

            let upgraded = TestClient(socket: try await RoostSocket.connect(
                url: server.http.webSocketURL(token: alice.token, device: nil, since: nil)))
            let first = try #require(await upgraded.nextFrame())
            #expect(first.errorCode == "internal", "\(first)")
            #expect(await upgraded.socket.waitClosed().code == 1011)

            let bare = try await TestClient.connectBare(server)
            let reply = try await bare.request("login", ["token": alice.token])
            #expect(reply.errorCode == "internal" && reply.ref != nil)
            #expect(await bare.socket.waitClosed().code == 1011)

            try await store.pool.write { db in try db.execute(sql: "ALTER TABLE devices_away RENAME TO devices") }
            let again = try await TestClient.connect(server, alice)
            try await again.heartbeat()
        }
    }
}
