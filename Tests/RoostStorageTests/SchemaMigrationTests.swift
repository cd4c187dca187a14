import Foundation
import GRDB
import RoostProtocol
@testable import RoostStorage
import Testing

/// A data file written by an earlier build opens and keeps its data.
@Suite("SQLite schema migrations")
struct SchemaMigrationTests {
    /// v14 drops the "last message" columns of 1:1 conversations: the list
    /// of an older file still shows its conversations, newest first.
    @Test func directConversationsOfAnOlderFileSurviveV14() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-v13-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: "v13-search-index-file")
        try await old.write { db in
            for (id, name) in [(1, "a"), (2, "b"), (3, "c")] {
                try db.execute(sql: "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, 'x', 0)",
                               arguments: [id, name])
            }
            for (id, peer) in [(10, 2), (11, 3)] {
                try db.execute(sql: """
                    INSERT INTO messages (id, sender_id, recipient_id, conv_key, client_id, content, created_at)
                    VALUES (?, 1, ?, ?, ?, '{"text":"hi"}', ?)
                    """, arguments: [id, peer, ConversationKeys.direct(1, Int64(peer)), "c\(id)", id])
                for (user, other) in [(1, peer), (peer, 1)] {
                    try db.execute(sql: """
                        INSERT INTO direct_conversations (user_id, peer_id, last_message_id, updated_at) VALUES (?, ?, ?, ?)
                        """, arguments: [user, other, id, id])
                }
            }
        }
        try old.close()

        let store = try SQLiteStore(path: path)
        #expect(try await store.conversations(user: 1, limit: 10).map(\.conversation) == ["u:3", "u:2"])
        let columns = try await store.pool.read { db in try db.columns(in: "direct_conversations").map(\.name) }
        #expect(columns == ["user_id", "peer_id"])
        // A new message in the older conversation moves it up; no new pair row.
        let sent = try await store.sendDirect(DirectSend(from: 2, device: "d", clientID: "n", to: 1,
                                                         content: MessageContent(text: "back")))
        #expect(sent.firstContact == false)
        #expect(try await store.conversations(user: 1, limit: 10).map(\.conversation) == ["u:2", "u:3"])
        try await store.close()
    }
}
