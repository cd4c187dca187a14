import Foundation
import RoostClient
import Testing

/// PROTOCOL.md 7: a connection without inbound traffic for the idle timeout
/// is closed with 4408; `heartbeat` frames and WebSocket pings both count.
@Suite("Liveness")
struct LivenessTests {
    static let timeout = Duration.milliseconds(700)

    @Test func silenceClosesWith4408() async throws {
        try await LiveServer.run(configure: { $0.core.idleTimeout = Self.timeout }) { server in
            let alice = try await server.newUser("a")
            let client = try await TestClient.connect(server, alice)
            let start = ContinuousClock.now
            let closed = await client.socket.waitClosed(timeout: .seconds(5))
            #expect(closed.closed && closed.code == 4408, "closed: \(closed)")
            #expect(ContinuousClock.now - start >= Self.timeout - .milliseconds(100))
        }
    }

    @Test func pingsAndHeartbeatsBothKeepAConnectionAlive() async throws {
        try await LiveServer.run(configure: { $0.core.idleTimeout = Self.timeout }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let pinging = try await TestClient.connect(server, alice)
            let beating = try await TestClient.connect(server, bob)
            // Three timeouts long, traffic every 200 ms: pings on one, heartbeats on the other.
            for _ in 0..<10 {
                pinging.socket.ping()
                _ = beating.send("heartbeat")
                try await Task.sleep(for: .milliseconds(200))
            }
            try await beating.heartbeat()
            #expect(await pinging.socket.waitClosed(timeout: .milliseconds(10)).closed == false, "pings count as traffic")
            // Then silence: both go.
            for client in [pinging, beating] {
                let closed = await client.socket.waitClosed(timeout: .seconds(3))
                #expect(closed.closed && closed.code == 4408, "closed: \(closed)")
            }
        }
    }
}
