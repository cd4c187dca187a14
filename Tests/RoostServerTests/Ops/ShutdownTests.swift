import Foundation
import RoostClient
import Testing

/// SIGTERM on a real `roost serve` process while messages flow.
@Suite("Graceful shutdown", .serialized)
struct ShutdownTests {
    @Test("SIGTERM during traffic: clients get 1001, exit 0, no acked message lost")
    func sigtermDuringTraffic() async throws {
        let data = TempDirectory.make()
        let server = try await ServerProcess.start(data: data)
        let alice = try await server.http.account(username: "alice_sd", password: "password-alice")
        let bob = try await server.http.account(username: "bob_sd", password: "password-bob")
        let sender = try await TestClient.connect(http: server.http, alice)
        let receiver = try await TestClient.connect(http: server.http, bob)

        // Send until the server stops answering; SIGTERM lands in the middle.
        let sending = Task { () -> [String] in
            var acked: [String] = []
            for i in 0..<2_000 {
                guard await sender.trySend("m\(i)", to: bob.userID) else { break }
                acked.append("m\(i)")
            }
            return acked
        }
        try await Task.sleep(for: .milliseconds(400))
        server.signal(SIGTERM)
        let acked = await sending.value
        let status = await server.waitExit(timeout: .seconds(20))
        #expect(status == 0, "exit status \(String(describing: status)); stderr: \(server.stderr)")
        #expect(acked.count > 0)
        #expect(await sender.socket.waitClosed(timeout: .seconds(2)).code == 1001)
        #expect(await receiver.socket.waitClosed(timeout: .seconds(2)).code == 1001)
        #expect(!FileManager.default.fileExists(atPath: data + "/roost.sqlite-wal")
                || ((try? FileManager.default.attributesOfItem(atPath: data + "/roost.sqlite-wal")[.size] as? Int) ?? 0) == 0,
                "the WAL is checkpointed at shutdown")

        // Restart on the same data: every acked message is in bob's inbox.
        let again = try await ServerProcess.start(data: data)
        let client = try await TestClient.connect(http: again.http, bob)
        let texts = Set(try await client.allTexts())
        let missing = acked.filter { !texts.contains($0) }
        #expect(missing.isEmpty, "lost \(missing.count) acked messages")
        client.close()
        await again.stop()
    }
}
