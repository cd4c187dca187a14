import Foundation
import RoostClient
import RoostStorage
import Synchronization
import Testing

/// "An acked message is never lost": the built binary is SIGKILLed at random
/// points while clients send with retries (the same `message_id` on every
/// resend), and restarted on the same data directory. Afterwards every acked
/// message is in each recipient's inbox exactly once, seqs are gap-free and
/// never reused, and the database passes `PRAGMA integrity_check`.
@Suite("Crash durability", .serialized)
struct CrashDurabilityTests {
    struct Acked: Sendable {
        let clientID: String
        let messageID: String
        let seq: Int
        let from: String
        let to: String
    }

    @Test(.timeLimit(.minutes(2)))
    func ackedMessagesSurviveSIGKILL() async throws {
        try #require(FileManager.default.fileExists(atPath: KillableServer.binary), "build the binary first (swift build)")
        let server = KillableServer(port: KillableServer.freePort(), dataDirectory: TempDirectory.make())
        try await server.start()
        let alice = try await server.http.account(username: "alice", password: "alice-password")
        let bob = try await server.http.account(username: "bob", password: "bob-password")
        let carol = try await server.http.account(username: "carol", password: "carol-password")

        let stop = StopFlag()
        let kills = 10
        async let fromAlice = Self.send(as: alice, to: carol.userID, server: server, stop: stop)
        async let fromBob = Self.send(as: bob, to: carol.userID, server: server, stop: stop)
        for _ in 0..<kills {
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...900)))
            server.kill()
            try await server.start()
        }
        try await Task.sleep(for: .milliseconds(500))
        stop.value.store(true, ordering: .relaxed)
        let (aliceAcked, aliceResends) = await fromAlice
        let (bobAcked, bobResends) = await fromBob
        let acked = aliceAcked + bobAcked

        // Every inbox, read back in full.
        var duplicates = 0, lost = 0
        let carolItems = try await Self.inbox(of: carol, server: server)
        for account in [alice, bob, carol] {
            let items = account.userID == carol.userID ? carolItems : try await Self.inbox(of: account, server: server)
            let seqs = items.map(\.seq)
            #expect(seqs == Array(stride(from: 1, through: seqs.count, by: 1)), "\(account.username): seqs gap-free from 1")
            let ids = items.filter { $0.type == "message" }.compactMap(\.messageID)
            duplicates += ids.count - Set(ids).count
            // The sender's copy still sits at the seq its ack named: seqs are never reused.
            let bySeq = Dictionary(items.map { ($0.seq, $0.messageID) }, uniquingKeysWith: { a, _ in a })
            for message in acked where message.from == account.userID {
                if bySeq[message.seq] != message.messageID { lost += 1 }
            }
        }
        let carolIDs = carolItems.filter { $0.type == "message" }.compactMap(\.messageID)
        for message in acked where carolIDs.filter({ $0 == message.messageID }).count != 1 { lost += 1 }
        server.stop()
        let store = try SQLiteStore(path: server.dataDirectory + "/roost.sqlite")
        let integrity = try await store.integrityCheck()
        try await store.close()

        print("crash durability: kills=\(kills) messages acked=\(acked.count) resent=\(aliceResends + bobResends) lost=\(lost) duplicates=\(duplicates) "
              + "carol inbox=\(carolItems.count) integrity=\(integrity.joined(separator: ","))")
        #expect(acked.count >= 20, "the clients made progress between kills")
        #expect(lost == 0)
        #expect(duplicates == 0)
        #expect(integrity == ["ok"])
    }

    /// Sends `<user>-<n>` messages until `stop`; a message unanswered (socket
    /// gone, server dead) is resent with the same id on a new connection until
    /// it is acked. Returns the acked ones and how many sends were repeats.
    static func send(as account: RoostHTTP.Account, to peer: String, server: KillableServer,
                     stop: StopFlag) async -> (acked: [Acked], resends: Int) {
        var acked: [Acked] = []
        var resends = 0
        var sentOnce: Set<Int> = []
        var client: TestClient?
        var n = 0
        while !stop.value.load(ordering: .relaxed) {
            guard let connected = client else {
                client = await connect(account, server: server)
                if client == nil { try? await Task.sleep(for: .milliseconds(50)) }
                continue
            }
            let id = "\(account.username)-\(n)"
            if !sentOnce.insert(n).inserted { resends += 1 }
            connected.send("send_message", ["to": peer, "content": ["text": "message \(id)"]], id: id)
            guard let reply = await reply(to: id, on: connected) else {
                connected.close()
                client = nil
                continue
            }
            guard reply.type == "ack", let messageID = reply.data["message_id"] as? String,
                  let seq = reply.data["seq"] as? Int else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            connected.sendFrame(["type": "ack", "data": ["seq": seq]])
            acked.append(Acked(clientID: id, messageID: messageID, seq: seq, from: account.userID, to: peer))
            n += 1
        }
        client?.close()
        return (acked, resends)
    }

    /// The answer to `id`, nil once the socket is gone or after 2 s (checked
    /// in short slices: a closed socket must not be polled for the whole wait).
    static func reply(to id: String, on client: TestClient) async -> Frame? {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if await client.socket.isClosed { return nil }
            if let frame = await client.waitFor(timeout: .milliseconds(100), { $0.ref == id }) { return frame }
        }
        return nil
    }

    static func connect(_ account: RoostHTTP.Account, server: KillableServer) async -> TestClient? {
        guard let socket = try? await RoostSocket.connect(url: server.http.webSocketURL(token: account.token, device: "d")) else {
            return nil
        }
        let client = TestClient(socket: socket)
        guard let first = await client.nextFrame(timeout: .seconds(2)), first.type == "welcome" else {
            client.close()
            return nil
        }
        return client
    }

    final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    struct StoredItem {
        let seq: Int
        let type: String
        let messageID: String?
    }

    /// The user's whole inbox through `sync_offline` pages.
    static func inbox(of account: RoostHTTP.Account, server: KillableServer) async throws -> [StoredItem] {
        let client = try #require(await connect(account, server: server))
        defer { client.close() }
        var items: [StoredItem] = []
        var since = 0
        while true {
            let page = try await client.sync(since: since, limit: 1000)
            let batch = try #require(page["items"] as? [[String: Any]])
            for item in batch {
                items.append(StoredItem(seq: itemData(item)["seq"] as? Int ?? -1, type: item["type"] as? String ?? "",
                                        messageID: item["message_id"] as? String))
            }
            since = items.last?.seq ?? since
            if page["has_more"] as? Bool != true { return items }
        }
    }
}
