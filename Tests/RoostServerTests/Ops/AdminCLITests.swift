import Foundation
import RoostClient
import Testing

/// `roost user|group|stats|backup|restore` as the binary, on a data directory.
@Suite("Admin CLI", .serialized)
struct AdminCLITests {
    @Test("user add, list, passwd, del round trip")
    func userRoundTrip() async throws {
        let data = TempDirectory.make()
        let add = try await RoostBinary.run(["user", "add", "root_admin", "--data", data, "--bcrypt-cost", "4"],
                                            input: "first-password\n")
        // A missing database is an error: `user add` needs a server to have created it.
        #expect(add.status != 0)
        #expect(add.stderr.contains("no database"))

        // Create the database with a server start, then administer it while it runs.
        let server = try await ServerProcess.start(data: data)
        let added = try await RoostBinary.run(["user", "add", "carol", "--data", data, "--bcrypt-cost", "4"],
                                              input: "carol-password-1\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("admin"), "the first account is an admin: \(added.stdout)")
        let second = try await RoostBinary.run(["user", "add", "dave", "--data", data, "--bcrypt-cost", "4",
                                                "--password", "dave-password-1"])
        #expect(second.status == 0 && !second.stdout.contains("admin"))
        let list = try await RoostBinary.run(["user", "list", "--data", data])
        #expect(list.stdout.contains("carol\tyes") && list.stdout.contains("dave\tno"), "\(list.stdout)")

        // The running server accepts the CLI-made account.
        let carol = try await server.http.account(username: "carol", password: "carol-password-1", register: false)
        #expect(try await server.http.request("GET", "/api/me", token: carol.token).status == 200)

        // passwd revokes the old token and the new password logs in.
        let passwd = try await RoostBinary.run(["user", "passwd", "carol", "--data", data, "--bcrypt-cost", "4"],
                                               input: "carol-password-2\n")
        #expect(passwd.status == 0, "\(passwd.stderr)")
        #expect(try await server.http.request("GET", "/api/me", token: carol.token).status == 401)
        let relogged = try await server.http.account(username: "carol", password: "carol-password-2", register: false)
        #expect(try await server.http.request("GET", "/api/me", token: relogged.token).status == 200)

        // del removes the account and its tokens.
        let dave = try await server.http.account(username: "dave", password: "dave-password-1", register: false)
        let del = try await RoostBinary.run(["user", "del", "dave", "--data", data])
        #expect(del.status == 0, "\(del.stderr)")
        #expect(try await server.http.request("GET", "/api/me", token: dave.token).status == 401)
        let after = try await RoostBinary.run(["user", "list", "--data", data])
        #expect(!after.stdout.contains("dave"))
        #expect(try await RoostBinary.run(["user", "del", "nobody_here", "--data", data]).status != 0)

        let stats = try await RoostBinary.run(["stats", "--data", data])
        #expect(stats.status == 0 && stats.stdout.contains("users\t1"), "\(stats.stdout)")
        let groups = try await RoostBinary.run(["group", "list", "--data", data])
        #expect(groups.status == 0, "\(groups.stderr)")
        await server.stop()
    }

    @Test("restore refuses a running server's data, then restores with a new epoch")
    func restoreRoundTrip() async throws {
        let data = TempDirectory.make()
        let server = try await ServerProcess.start(data: data)
        let erin = try await server.http.account(username: "erin_r", password: "password-erin")
        let client = try await TestClient.connect(http: server.http, erin)
        let oldEpoch = try #require(try await client.sync()["epoch"] as? String)
        _ = try await client.sendText("before backup", to: erin.userID)

        let backupFile = TempDirectory.make() + "/backup.sqlite"
        let backup = try await RoostBinary.run(["backup", "--data", data, backupFile])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(try await RoostBinary.run(["backup", "--data", data, backupFile]).status != 0, "never overwrites")

        let refused = try await RoostBinary.run(["restore", "--data", data, backupFile])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("running"), "\(refused.stderr)")

        _ = try await client.sendText("after backup", to: erin.userID)
        client.close()
        await server.stop()
        let restored = try await RoostBinary.run(["restore", "--data", data, backupFile])
        #expect(restored.status == 0, "\(restored.stderr)")

        let again = try await ServerProcess.start(data: data)
        let next = try await TestClient.connect(http: again.http, erin)
        let sync = try await next.sync()
        #expect(sync["epoch"] as? String != oldEpoch, "a restored database has a new epoch")
        let texts = try await next.allTexts()
        #expect(texts.contains("before backup") && !texts.contains("after backup"))
        next.close()
        await again.stop()
    }
}
