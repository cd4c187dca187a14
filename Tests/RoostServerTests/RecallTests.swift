import Foundation
import RoostClient
import Testing

@Suite("Recall")
struct RecallTests {
    @Test(.disabled(if: ServerTestDatabase.baseURL != nil, "reads the SQLite data directory")) func senderRecallsAndEveryParticipantIsTold() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice, device: "one")
            let secret = "secret-\(UUID().uuidString)"
            let id = try #require(try await a.sendText(secret, to: bob.userID)["message_id"] as? String)
            // Searched for: its text is in the search index file too.
            #expect(try await SearchTests.hits(server, alice, secret).count == 1)
            let onDisk = try Self.databaseBytes(server)
            #expect(onDisk.range(of: Data(secret.utf8)) != nil, "sanity: the text was stored")
            let other = try await TestClient.connect(server, alice, device: "two")
            let b = try await TestClient.connect(server, bob)

            let ack = try await a.call("recall", ["message_id": id])
            let seq = try #require(ack["seq"] as? Int)
            for (client, conversation) in [(other, "u:\(bob.userID)"), (b, "u:\(alice.userID)")] {
                let item = try await client.item(ofType: "recall")
                #expect(item.data["message_id"] as? String == id && item.messageID == id)
                #expect(item.data["by"] as? String == alice.userID)
                #expect(item.data["conversation"] as? String == conversation)
            }
            #expect(await a.itemsWithin(.milliseconds(300)).filter { $0.seq == seq }.isEmpty)

            // Twice: acked, no new item.
            #expect(try await a.call("recall", ["message_id": id])["seq"] == nil)
            // The stored message item now renders as the recalled record.
            let page = try await b.sync(since: 0)
            let items = try #require(page["items"] as? [[String: Any]])
            let message = try #require(items.first { $0["type"] as? String == "message" }?["data"] as? [String: Any])
            #expect(message["recalled"] as? Bool == true && message["content"] == nil)
            #expect(items.last?["type"] as? String == "recall")
            // And the text is gone from the database files.
            #expect(try Self.databaseBytes(server).range(of: Data(secret.utf8)) == nil)
        }
    }

    @Test func onlyTheSenderWithinTheWindow() async throws {
        try await LiveServer.run(configure: { $0.core.recallWindow = .milliseconds(800) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let a = try await TestClient.connect(server, alice)
            let ids = try await a.sendTexts(2, to: bob.userID)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            #expect(try await b.request("recall", ["message_id": ids[0]]).errorCode == "forbidden")
            #expect(try await c.request("recall", ["message_id": ids[0]]).errorCode == "forbidden")
            #expect(try await a.request("recall", ["message_id": "123456"]).errorCode == "not_found")
            #expect(try await a.request("recall", ["message_id": "nope"]).errorCode == "not_found")
            #expect(try await a.call("recall", ["message_id": ids[0]])["seq"] is Int)
            try await Task.sleep(for: .milliseconds(1_000))
            #expect(try await a.request("recall", ["message_id": ids[1]]).errorCode == "forbidden")
            // Recalling an already recalled message stays an ack without seq after the window.
            #expect(try await a.call("recall", ["message_id": ids[0]])["seq"] == nil)
            let history = try await a.historyPage("u:\(bob.userID)")
            #expect(history.records.map { $0["recalled"] as? Bool ?? false } == [false, true])
        }
    }

    /// The SQLite files (database and search index) and their WALs, where a
    /// recalled text must not survive.
    static func databaseBytes(_ server: LiveServer) throws -> Data {
        var bytes = Data()
        for file in ["roost.sqlite", "roost.search.sqlite"] {
            for suffix in ["", "-wal"] {
                let path = server.dataDirectory + "/" + file + suffix
                if FileManager.default.fileExists(atPath: path) { bytes += try Data(contentsOf: URL(fileURLWithPath: path)) }
            }
        }
        return bytes
    }
}

@Suite("Recall and pushes")
struct RecallPushTests {
    @Test func aRetriedPushOfARecalledMessageIsTheRecalledRecord() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob)
            let id = try #require(try await a.sendText("oops", to: bob.userID)["message_id"] as? String)
            let first = try await b.item(ofType: "message")
            #expect(first.text == "oops")
            _ = try await a.call("recall", ["message_id": id])
            // Bob never acks: the message item is pushed again, now without content.
            let retried = try #require(await b.waitFor(timeout: .seconds(3)) { $0.type == "message" && $0.seq == first.seq })
            #expect(retried.data["recalled"] as? Bool == true && retried.data["content"] == nil)
            #expect(retried.messageID == id && retried.data["client_id"] as? String == first.data["client_id"] as? String)
        }
    }
}
