import Foundation
import RoostClient
import Testing

/// The inbox: per-user seqs, cursors, pushes, acks, retries and sync (PROTOCOL.md 4).
@Suite("Inbox sync and delivery")
struct SyncTests {
    /// Sends `count` messages from `sender` to `receiver` while the receiver is offline.
    static func sendOffline(_ server: LiveServer, from sender: RoostHTTP.Account, to receiver: RoostHTTP.Account,
                            count: Int) async throws -> [[String: Any]] {
        let ws = try await TestClient.connect(server, sender, device: "sender")
        var acks: [[String: Any]] = []
        for i in 0..<count { acks.append(try await ws.sendText("m\(i)", to: receiver.userID)) }
        ws.close()
        return acks
    }

    @Test func hundredOfflineMessagesArriveBySyncInOrderGapFree() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 100)
            let ws = try await TestClient.connect(server, bob)
            #expect(ws.welcome["head_seq"] as? Int == 100)
            var texts: [String] = [], seqs: [Int] = []
            var since = 0
            while true {
                let page = try await ws.sync(since: since, limit: 30)
                let items = (page["items"] as? [[String: Any]]) ?? []
                for item in items {
                    let data = item["data"] as? [String: Any] ?? [:]
                    seqs.append(data["seq"] as? Int ?? -1)
                    texts.append((data["content"] as? [String: Any])?["text"] as? String ?? "")
                }
                since = seqs.last ?? since
                #expect(page["head_seq"] as? Int == 100)
                if page["has_more"] as? Bool != true { break }
            }
            #expect(seqs == Array(1...100))
            #expect(texts == (0..<100).map { "m\($0)" })
        }
    }

    @Test func offlineItemsArePushedOnConnectAndRedeliveredUntilAcked() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 3)
            let first = try await TestClient.connect(server, bob, device: "d1")
            #expect(try await first.items(3).map(\.seq) == [1, 2, 3])
            try await first.ack(2)
            first.close()
            let second = try await TestClient.connect(server, bob, device: "d1")
            #expect(second.welcome["acked_seq"] as? Int == 2)
            #expect(try await second.items(1).map(\.seq) == [3], "only the unacked item comes again")
            try await second.ack(3)
            second.close()
            let third = try await TestClient.connect(server, bob, device: "d1")
            #expect(await third.itemsWithin(.milliseconds(500)).isEmpty, "acked items are not redelivered")
        }
    }

    @Test func unackedItemIsRetriedWhileConnectedAndNotAfterAck() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let bobWS = try await TestClient.connect(server, bob)
            _ = try await TestClient.connect(server, alice).sendText("retry me", to: bob.userID)
            let pushes = try await bobWS.items(2, timeout: .seconds(3))
            #expect(pushes.map(\.seq) == [1, 1], "pushed again after the retry interval")
            try await bobWS.ack(1)
            #expect(await bobWS.itemsWithin(.seconds(1)).isEmpty, "no retry after the ack")
        }
    }

    @Test func unackedItemsCloseTheConnectionWith4410AfterTheBoundedPushes() async throws {
        try await LiveServer.run(configure: {
            $0.core.retryInterval = .milliseconds(200)
            $0.core.retryAttempts = 3
        }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let bobWS = try await TestClient.connect(server, bob, device: "d1")
            _ = try await TestClient.connect(server, alice).sendText("never acked", to: bob.userID)
            let pushes = try await bobWS.items(3, timeout: .seconds(3))
            #expect(pushes.map(\.seq) == [1, 1, 1])
            #expect(await bobWS.socket.waitClosed().code == 4410)
            let again = try await TestClient.connect(server, bob, device: "d1")
            #expect(try await again.items(1).map(\.seq) == [1], "the item waits for the next connection")
        }
    }

    @Test func deviceCursorsAreIndependent() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 2)
            let a = try await TestClient.connect(server, bob, device: "A")
            _ = try await a.items(2)
            try await a.ack(2)
            a.close()
            let b = try await TestClient.connect(server, bob, device: "B")
            #expect(b.welcome["acked_seq"] as? Int == 0)
            #expect(try await b.items(2).map(\.seq) == [1, 2])
            let aAgain = try await TestClient.connect(server, bob, device: "A")
            #expect(aAgain.welcome["acked_seq"] as? Int == 2)
        }
    }

    @Test func ackIsCumulativeClampedAndNeverMovesBack() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 3)
            let ws = try await TestClient.connect(server, bob, device: "d")
            _ = try await ws.items(3)
            try await ws.ack(99)
            try await ws.ack(1)
            ws.close()
            let again = try await TestClient.connect(server, bob, device: "d")
            #expect(again.welcome["acked_seq"] as? Int == 3, "ack above head clamps, below cursor is ignored")
        }
    }

    @Test func sinceMovesTheCursorAndSyncDoesNot() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 4)
            let ws = try await TestClient.connect(server, bob, device: "d", since: 2)
            #expect(ws.welcome["acked_seq"] as? Int == 2)
            #expect(try await ws.items(2).map(\.seq) == [3, 4])
            let page = try await ws.sync(since: 0, limit: 2)
            #expect((page["items"] as? [Any])?.count == 2 && page["has_more"] as? Bool == true)
            #expect(try await ws.request("sync_offline", ["limit": 0]).errorCode == "bad_request")
            #expect(try await ws.request("sync_offline", ["since": -1]).errorCode == "bad_request")
            ws.close()
            let clamped = try await TestClient.connect(server, bob, device: "d2", since: 50)
            #expect(clamped.welcome["acked_seq"] as? Int == 4, "since above head is clamped")
        }
    }

    @Test func pushesStayWithinTheWindow() async throws {
        try await LiveServer.run(configure: { $0.core.pushWindow = 5; $0.core.retryInterval = .seconds(30) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            _ = try await Self.sendOffline(server, from: alice, to: bob, count: 8)
            let ws = try await TestClient.connect(server, bob)
            #expect(try await ws.items(5).map(\.seq) == [1, 2, 3, 4, 5])
            #expect(await ws.itemsWithin(.milliseconds(300)).isEmpty, "no more than the window in flight")
            try await ws.ack(5)
            #expect(try await ws.items(3).map(\.seq) == [6, 7, 8])
        }
    }

    /// An item offered while the window was full is dropped and read from
    /// storage later, also when a later item was offered meanwhile (the
    /// window first gives such a gap a moment to fill by itself).
    @Test func anItemDroppedFromAFullWindowArrivesBeforeALaterOne() async throws {
        try await LiveServer.run(configure: { $0.core.pushWindow = 2; $0.core.retryInterval = .seconds(30) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice), b = try await TestClient.connect(server, bob)
            for i in 1...2 { _ = try await a.sendText("m\(i)", to: bob.userID) }
            #expect(try await b.items(2).map(\.seq) == [1, 2])
            // 3 and 4 wait in the window; 5 is beyond it and dropped.
            for i in 3...5 { _ = try await a.sendText("m\(i)", to: bob.userID) }
            try await b.ack(2)
            #expect(try await b.items(2).map(\.seq) == [3, 4])
            // 6 fits (4 + 2) and waits above the missing 5.
            _ = try await a.sendText("m6", to: bob.userID)
            try await b.ack(4)
            let last = try await b.items(2)
            #expect(last.map(\.seq) == [5, 6])
            #expect(last.map { ($0.data["content"] as? [String: Any])?["text"] as? String } == ["m5", "m6"])
            #expect(await b.itemsWithin(.milliseconds(200)).isEmpty, "each item once")
        }
    }

    @Test func everythingAckedSurvivesARestart() async throws {
        let directory = TempDirectory.make()
        let (alice, bob, acks) = try await LiveServer.run(dataDirectory: directory) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let acks = try await Self.sendOffline(server, from: alice, to: bob, count: 20)
            return (alice, bob, acks.compactMap { $0["message_id"] as? String })
        }
        try await LiveServer.run(dataDirectory: directory) { server in
            // Tokens survive a restart: the signing key is kept in the data directory.
            let ws = try await TestClient.connect(server, bob)
            let items = (try await ws.sync(since: 0)["items"] as? [[String: Any]]) ?? []
            #expect(items.compactMap { $0["message_id"] as? String } == acks)
            let newer = try await TestClient.connect(server, alice).sendText("after restart", to: bob.userID)
            let newID = try #require(newer["message_id"] as? String)
            #expect(UInt64(newID)! > UInt64(acks.last!)!, "ids keep increasing across restarts")
        }
    }
}
