import Foundation
import RoostClient
import RoostPostgres
import Testing

/// Two nodes on one PostgreSQL database (in process, as a load balancer without
/// sticky sessions would spread clients): what one commits reaches devices on
/// the other live.
@Suite("Cluster: two nodes on one PostgreSQL")
struct ClusterTests {
    static let secret = "cluster-test-secret-0123456789abcdef0123456789"

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"))
    func messagesCrossNodesLiveBothWays() async throws {
        let directory = TempDirectory.make()
        let url = try #require(try await ServerTestDatabase.url(for: directory))
        try await LiveServer.run(dataDirectory: directory, configure: { $0.jwtSecret = Self.secret }) { nodeA in
            try await LiveServer.run(configure: { $0.databaseURL = url; $0.jwtSecret = Self.secret }) { nodeB in
                let alice = try await nodeA.newUser("a"), bob = try await nodeB.newUser("b")
                let aliceWS = try await TestClient.connect(nodeA, alice, device: "phone")
                let bobWS = try await TestClient.connect(nodeB, bob, device: "phone")
                let tablet = try await TestClient.connect(nodeB, alice, device: "tablet")
                // Let both nodes record who they hold (their first refresh).
                try await Task.sleep(for: .milliseconds(1_500))
                let ack = try await aliceWS.sendText("across", to: bob.userID, id: "x-1")
                let received = try await bobWS.items(1, timeout: .seconds(3))[0]
                #expect(received.text == "across" && received.messageID == ack["message_id"] as? String)
                #expect(try await tablet.items(1, timeout: .seconds(3))[0].seq == 1, "the sender's other device too")

                let reply = try await bobWS.sendText("back", to: alice.userID, id: "y-1")
                let back = try await aliceWS.items(1, timeout: .seconds(3))[0]
                #expect(back.text == "back" && back.messageID == reply["message_id"] as? String)
            }
        }
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"))
    func filesNeedNoSharedDirectory() async throws {
        let directory = TempDirectory.make()
        let url = try #require(try await ServerTestDatabase.url(for: directory))
        try await LiveServer.run(dataDirectory: directory) { nodeA in
            // Node B: a data directory of its own, no --jwt-secret (both share the database's).
            try await LiveServer.run(configure: { $0.databaseURL = url }) { nodeB in
                let alice = try await nodeA.newUser("a"), bob = try await nodeA.newUser("b")
                let bytes = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) })
                let upload = try await FileTests.upload(nodeA, alice, bytes, name: "big.bin")
                try #require(upload.status == 201)
                let id = try #require(upload.json["file_id"] as? String)
                let aliceWS = try await TestClient.connect(nodeA, alice)
                _ = try await aliceWS.call("send_message", ["to": bob.userID, "content": ["file_id": id]])
                // Bob downloads through node B, which never saw the upload: the bytes come from PostgreSQL.
                let got = try await nodeB.http.request("GET", "/api/files/\(id)", token: bob.token)
                #expect(got.status == 200 && got.body == bytes)
                // Twice: now from node B's cache, the same bytes.
                #expect(try await nodeB.http.request("GET", "/api/files/\(id)", token: bob.token).body == bytes)
                // Someone the file was not sent to gets the same 404 on either node.
                let carol = try await nodeB.newUser("c")
                #expect(try await nodeB.http.request("GET", "/api/files/\(id)", token: carol.token).status == 404)
            }
        }
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"))
    func aNodeWithAnotherTokenSecretRefusesToStart() async throws {
        let directory = TempDirectory.make()
        let url = try #require(try await ServerTestDatabase.url(for: directory))
        try await LiveServer.run(dataDirectory: directory, configure: { $0.jwtSecret = Self.secret }) { _ in
            await #expect(throws: PostgresStore.TokenSecretMismatch.self) {
                try await LiveServer.run(configure: {
                    $0.databaseURL = url
                    $0.jwtSecret = String(Self.secret.reversed())
                }) { _ in }
            }
            // No secret at all is a mismatch too: the others sign with a configured one.
            await #expect(throws: PostgresStore.TokenSecretMismatch.self) {
                try await LiveServer.run(configure: { $0.databaseURL = url }) { _ in }
            }
        }
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"))
    func aUserWithDevicesOnTwoNodesIsOfflineOnlyWhenBothAreGone() async throws {
        let directory = TempDirectory.make()
        let url = try #require(try await ServerTestDatabase.url(for: directory))
        try await LiveServer.run(dataDirectory: directory, configure: { $0.core.presenceDebounce = .milliseconds(100) }) { nodeA in
            try await LiveServer.run(configure: {
                $0.core.presenceDebounce = .milliseconds(100)
                $0.databaseURL = url
            }) { nodeB in
                let alice = try await nodeA.newUser("a"), bob = try await nodeA.newUser("b")
                let aliceWS = try await TestClient.connect(nodeA, alice)
                let bobPhone = try await TestClient.connect(nodeA, bob, device: "phone")
                _ = try await bobPhone.sendText("hi", to: alice.userID)      // contacts from now on
                #expect(await aliceWS.waitFor { $0.type == "presence" && $0.string("user_id") == bob.userID } != nil)
                let bobTablet = try await TestClient.connect(nodeB, bob, device: "tablet")
                try await bobTablet.heartbeat()

                // The phone (node A, Alice's node) goes: the tablet on node B keeps Bob online.
                bobPhone.close()
                let early = await aliceWS.waitFor(timeout: .seconds(1)) {
                    $0.type == "presence" && $0.string("user_id") == bob.userID && $0.string("status") == "offline"
                }
                #expect(early == nil, "no offline while a device is connected through another node: \(String(describing: early))")
                let listed = try await nodeA.http.request("GET", "/api/presence?user_ids=\(bob.userID)", token: alice.token)
                #expect((listed.json["presence"] as? [[String: Any]])?.first?["status"] as? String == "online")

                // The tablet goes too: node B announces the offline to Alice on node A.
                bobTablet.close()
                let offline = await aliceWS.waitFor {
                    $0.type == "presence" && $0.string("user_id") == bob.userID && $0.string("status") == "offline"
                }
                #expect(offline != nil, "offline once no node holds a device of Bob's")
            }
        }
    }
}
