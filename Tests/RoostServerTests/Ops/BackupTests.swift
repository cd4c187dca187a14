import Foundation
import RoostClient
import RoostStorage
import Testing

/// `GET /api/admin/backup` while messages are being written.
@Suite("Online backup")
struct BackupTests {
    @Test("a backup taken under write load is intact and holds every message acked before it began")
    func backupUnderLoad() async throws {
        let restoredDir = TempDirectory.make()
        let (snapshot, bob) = try await LiveServer.run { server in
            let alice = try await server.newUser("admin")   // first user: admin
            let bob = try await server.newUser("bob")
            let sender = try await TestClient.connect(server, alice)
            let acked = Locked<[String]>([])
            let stop = Locked(false)
            let load = Task {
                var i = 0
                while !stop.value, i < 5_000 {
                    if await sender.trySend("load-\(i)", to: bob.userID) { acked.update { $0.append("load-\(i)") } }
                    i += 1
                }
            }
            while acked.value.count < 30 { try await Task.sleep(for: .milliseconds(10)) }
            let before = acked.value
            let response = try await server.http.request("GET", "/api/admin/backup", token: alice.token)
            try await Task.sleep(for: .milliseconds(100))
            stop.update { $0 = true }
            await load.value
            #expect(response.status == 200)
            #expect(acked.value.count > before.count, "writes went on during the backup")
            try response.body.write(to: URL(fileURLWithPath: restoredDir + "/roost.sqlite"))
            try FileManager.default.copyItem(atPath: server.dataDirectory + "/jwt.secret",
                                             toPath: restoredDir + "/jwt.secret")

            let forbidden = try await server.http.request("GET", "/api/admin/backup", token: bob.token)
            #expect(forbidden.status == 403)
            #expect(try await server.http.request("GET", "/api/admin/backup").status == 401)
            sender.close()
            return (before, bob)
        }
        try SQLiteStore.checkIntegrity(of: restoredDir + "/roost.sqlite")
        try await LiveServer.run(dataDirectory: restoredDir) { server in
            let client = try await TestClient.connect(server, bob)
            let texts = Set(try await client.allTexts())
            let missing = snapshot.filter { !texts.contains($0) }
            #expect(missing.isEmpty, "backup lacks \(missing.count) messages acked before it began")
            client.close()
        }
    }
}
