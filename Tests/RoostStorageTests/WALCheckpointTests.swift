import Foundation
import RoostProtocol
@testable import RoostStorage
import Testing

/// The WAL is copied into the database file by the background checkpointer,
/// not by a commit (the writer's own threshold is far above these writes).
@Suite("SQLite background checkpoint")
struct WALCheckpointTests {
    @Test func committedPagesReachTheDatabaseFileWithoutTheWriter() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roost-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("roost.sqlite").path
        var options = SQLiteStore.Options()
        options.checkpointInterval = .milliseconds(50)
        let store = try SQLiteStore(path: path, options: options)
        func fileSize() throws -> Int {
            try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        }
        let a = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let b = try await store.createUser(username: "b", passwordHash: "x", isAdmin: false).id
        // Wait for the checkpoint of the setup, so the file's size is settled.
        try await Task.sleep(for: .milliseconds(200))
        let before = try fileSize()
        for i in 0..<300 {
            _ = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "c\(i)", to: b,
                                                      content: MessageContent(text: String(repeating: "x", count: 500))))
        }
        // 300 messages of 500 bytes need more pages than the file had: it grows
        // only when a checkpoint copies them in.
        let deadline = ContinuousClock.now + .seconds(5)
        while try fileSize() <= before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try fileSize() > before)
        try await store.close()
    }
}
