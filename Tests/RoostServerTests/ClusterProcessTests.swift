import Foundation
import RoostClient
import Testing

/// Two `roost serve` processes on one PostgreSQL database, as two machines
/// behind a load balancer would run them: users on different nodes chat 1:1
/// and in groups, see each other's presence and typing, catch up after being
/// offline, replace a device across nodes and share the device cap; a node
/// killed with SIGKILL loses no acked message and its clients resume on the
/// other. Needs the built binary and `ROOST_TEST_SERVER_POSTGRES_URL`
/// (`make test-cluster` starts a throwaway PostgreSQL for it).
@Suite("Cluster: two roost processes on one PostgreSQL", .serialized)
struct ClusterProcessTests {
    /// Fast beats (a dead node expires after 5 s) and presence without debounce.
    static let nodeFlags = ["--cluster-poll-interval", "0.3", "--presence-debounce", "0.2", "--max-devices", "3",
                            "--log-level", "info"]

    /// Starts two nodes on a new database; stops them after `body`.
    static func withTwoNodes(_ body: (KillableServer, KillableServer) async throws -> Void) async throws {
        try #require(FileManager.default.fileExists(atPath: KillableServer.binary), "build the binary first (swift build)")
        let url = try #require(try await ServerTestDatabase.url(for: TempDirectory.make()))
        // No --jwt-secret: the nodes share the one the first keeps in the database.
        let nodeA = KillableServer(port: KillableServer.freePort(), dataDirectory: TempDirectory.make())
        let nodeB = KillableServer(port: KillableServer.freePort(), dataDirectory: TempDirectory.make())
        try await nodeA.start(extra: ["--database", url] + nodeFlags)
        try await nodeB.start(extra: ["--database", url] + nodeFlags)
        defer {
            nodeA.stop()
            nodeB.stop()
        }
        try await body(nodeA, nodeB)
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"),
          .timeLimit(.minutes(2)))
    func chatPresenceTypingAndSyncAcrossNodes() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in
            // Registered on one node, logged in on the other: the token secret is shared.
            let alice = try await nodeA.http.account(username: "alice", password: "alice-password")
            _ = try await nodeB.http.account(username: "bob", password: "bob-password")
            let bob = try await nodeA.http.account(username: "bob", password: "bob-password", register: false)
            let aliceWS = try await TestClient.connect(http: nodeA.http, alice)
            let bobWS = try await TestClient.connect(http: nodeB.http, bob)

            // 1:1 both ways, live.
            let ack = try await aliceWS.sendText("hello from A", to: bob.userID)
            let got = try await bobWS.items(1, timeout: .seconds(5))[0]
            #expect(got.text == "hello from A" && got.messageID == ack["message_id"] as? String)
            try await bobWS.ack(got.seq)
            _ = try await bobWS.sendText("hello from B", to: alice.userID)
            let back = try await aliceWS.items(1, timeout: .seconds(5))[0]
            #expect(back.text == "hello from B")
            try await aliceWS.ack(back.seq)

            // The first message made them contacts: each sees the other online, across nodes.
            let bobOnline = await aliceWS.waitFor(timeout: .seconds(5)) {
                $0.type == "presence" && $0.string("user_id") == bob.userID
            }
            #expect(bobOnline?.string("status") == "online")
            let aliceOnline = await bobWS.waitFor(timeout: .seconds(5)) {
                $0.type == "presence" && $0.string("user_id") == alice.userID
            }
            #expect(aliceOnline?.string("status") == "online")

            // Typing, 1:1 and in a group.
            aliceWS.send("typing", ["to": bob.userID])
            let typing = await bobWS.ephemeral("typing")
            #expect(typing?.string("from") == alice.userID && typing?.string("conversation") == "u:\(alice.userID)")
            let reply = try await nodeA.http.request("POST", "/api/groups",
                                                     json: ["name": "both", "member_ids": [bob.userID]], token: alice.token)
            try #require(reply.status == 201)
            let group = try #require(reply.json["group_id"] as? String)
            let groupAck = try await bobWS.sendGroupText("group hello from B", group: group)
            let inGroup = await aliceWS.waitFor(timeout: .seconds(5)) { $0.isItem && $0.text == "group hello from B" }
            #expect(inGroup?.messageID == groupAck["message_id"] as? String)
            bobWS.send("typing", ["group_id": group])
            let groupTyping = await aliceWS.ephemeral("typing")
            #expect(groupTyping?.string("from") == bob.userID && groupTyping?.string("conversation") == "g:\(group)")

            // Bob goes offline: Alice sees it although Bob's node is not hers.
            let bobHead = try await bobWS.syncedItems().compactMap { ($0["data"] as? [String: Any])?["seq"] as? Int }.max() ?? 0
            bobWS.close()
            let offline = await aliceWS.waitFor(timeout: .seconds(5)) {
                $0.type == "presence" && $0.string("user_id") == bob.userID
            }
            #expect(offline?.string("status") == "offline")
            var sent: [String] = []
            for i in 1...5 {
                let ack = try await aliceWS.sendText("while away \(i)", to: bob.userID)
                sent.append(try #require(ack["message_id"] as? String))
            }
            // Back through the other node, from his cursor: exactly what he missed.
            let bobAgain = try await Self.connect(nodeA, bob, since: Int64(bobHead))
            let missed = try await bobAgain.items(5, timeout: .seconds(5))
            #expect(missed.compactMap(\.messageID) == sent)
            #expect(missed.map(\.seq) == Array((bobHead + 1)...(bobHead + 5)))
            #expect(await bobAgain.itemsWithin(.milliseconds(500)).isEmpty, "nothing twice")
        }
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"),
          .timeLimit(.minutes(2)))
    func deviceReplacementAndCapAcrossNodes() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in
            let bob = try await nodeA.http.account(username: "bob", password: "bob-password")
            let onA = try await Self.connect(nodeA, bob, device: "phone")
            // The same device through node B: node A's connection is kicked `replaced` and closed with 4409.
            let onB = try await Self.connect(nodeB, bob, device: "phone")
            let kicked = await onA.waitFor(timeout: .seconds(5)) { $0.type == "kicked" }
            #expect(kicked?.string("reason") == "replaced")
            #expect(await onA.socket.waitClosed(timeout: .seconds(5)).code == 4409)
            try await onB.heartbeat()

            // --max-devices 3 counts both nodes: phone (B) + tablet (A) + laptop (B), then a fourth is refused.
            _ = try await Self.connect(nodeA, bob, device: "tablet")
            _ = try await Self.connect(nodeB, bob, device: "laptop")
            let socket = try await RoostSocket.connect(url: nodeA.http.webSocketURL(token: bob.token, device: "watch"))
            let refused = TestClient(socket: socket)
            let error = await refused.waitFor(timeout: .seconds(5)) { $0.type == "error" }
            #expect(error?.errorCode != nil, "a fourth device is refused")
            #expect(await socket.waitClosed(timeout: .seconds(5)).closed)
            try await onB.heartbeat()
        }
    }

    @Test(.enabled(if: ServerTestDatabase.baseURL != nil, "needs ROOST_TEST_SERVER_POSTGRES_URL"),
          .timeLimit(.minutes(3)))
    func killingANodeLosesNoAckedMessage() async throws {
        try await Self.withTwoNodes { nodeA, nodeB in
            let alice = try await nodeA.http.account(username: "alice", password: "alice-password")
            let bob = try await nodeA.http.account(username: "bob", password: "bob-password")
            let carol = try await nodeA.http.account(username: "carol", password: "carol-password")
            let dave = try await nodeA.http.account(username: "dave", password: "dave-password")
            // Alice on A; Bob (receiving), Carol (sending) and Dave (never coming back) on B.
            let aliceWS = try await Self.connect(nodeA, alice, device: "d")
            var bobWS = try await Self.connect(nodeB, bob, device: "d")
            var carolWS = try await Self.connect(nodeB, carol, device: "d")
            let daveWS = try await Self.connect(nodeB, dave, device: "d")
            _ = try await daveWS.sendText("hi", to: alice.userID)   // contacts: Alice sees Dave's presence
            #expect(await aliceWS.waitFor(timeout: .seconds(5)) {
                $0.type == "presence" && $0.string("user_id") == dave.userID && $0.string("status") == "online"
            } != nil)

            var aliceAcked: [String] = [], carolAcked: [String] = []
            var bobReceived: [String] = []
            var bobCursor = 0
            for i in 0..<10 {
                aliceAcked.append(try #require(try await aliceWS.sendText("a\(i)", to: bob.userID)["message_id"] as? String))
                carolAcked.append(try #require(try await carolWS.sendText("c\(i)", to: alice.userID)["message_id"] as? String))
            }
            for item in try await bobWS.items(10, timeout: .seconds(5), dedupe: true) {
                bobReceived.append(item.messageID ?? "")
                bobCursor = item.seq
            }
            try await bobWS.ack(bobCursor)
            for item in try await aliceWS.items(10, timeout: .seconds(5), dedupe: true) { try await aliceWS.ack(item.seq) }

            nodeB.kill()
            // Carol resends her next message with the same id until a node acks it: once in the inbox.
            let pendingID = "carol-after-kill"
            carolWS = try await Self.connect(nodeA, carol, device: "d")
            let resent = try await carolWS.sendText("c-after", to: alice.userID, id: pendingID)
            let resentAgain = try await carolWS.sendText("c-after", to: alice.userID, id: pendingID)
            #expect(resent["message_id"] as? String == resentAgain["message_id"] as? String, "a retried send is one message")
            carolAcked.append(try #require(resent["message_id"] as? String))
            for i in 10..<15 {
                aliceAcked.append(try #require(try await aliceWS.sendText("a\(i)", to: bob.userID)["message_id"] as? String))
            }
            // Bob resumes on the surviving node from his cursor.
            bobWS = try await Self.connect(nodeA, bob, device: "d", since: Int64(bobCursor))
            for item in try await bobWS.items(5, timeout: .seconds(5), dedupe: true) {
                bobReceived.append(item.messageID ?? "")
            }
            #expect(bobReceived == aliceAcked, "every acked message once, in order")
            #expect(await bobWS.itemsWithin(.milliseconds(500)).isEmpty, "nothing twice")

            // Inboxes: each acked message exactly once.
            let aliceItems = try await aliceWS.syncedItems()
            let aliceInbox = aliceItems.compactMap { $0["message_id"] as? String }
            for id in carolAcked { #expect(aliceInbox.filter { $0 == id }.count == 1, "carol's \(id) once in alice's inbox") }
            let bobInbox = try await bobWS.syncedItems().compactMap { $0["message_id"] as? String }
            #expect(bobInbox.filter { aliceAcked.contains($0) } == aliceAcked)

            // Alice acknowledges what she got, or her node closes her socket for not acking (4410).
            try await aliceWS.ack(aliceItems.compactMap { ($0["data"] as? [String: Any])?["seq"] as? Int }.max() ?? 0)
            // Dave's node died with him on it: once it counts as dead, Alice sees him offline.
            let daveOffline = await aliceWS.waitFor(timeout: .seconds(15)) {
                $0.type == "presence" && $0.string("user_id") == dave.userID && $0.string("status") == "offline"
            }
            #expect(daveOffline != nil, "a dead node's users do not stay online")
        }
    }

    static func connect(_ node: KillableServer, _ account: RoostHTTP.Account, device: String? = nil,
                        since: Int64? = nil) async throws -> TestClient {
        let socket = try await RoostSocket.connect(url: node.http.webSocketURL(token: account.token, device: device,
                                                                             since: since))
        let client = TestClient(socket: socket)
        let first = try #require(await client.nextFrame(), "no welcome frame")
        try #require(first.type == "welcome", "first frame must be welcome: \(first)")
        return client
    }
}
