import Foundation
import RoostProtocol
@testable import RoostStorage
import Testing

/// The WAL is copied into the database file by the background checkpointer,
/// not by a commit (the writer's own threshold is far above these writes).
@Suite("SQLite background checkpoint")
struct WALCheckpointTests {
    @Test func committedPagesReachTheDatabaseFileWithoutTheWriter() async throws {
        let (dir, path) = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
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

    /// Under load the writer commits while each background checkpoint
    /// copies, so the WAL never caught up and grew by every page written;
    /// past `walSizeLimit` the writer finishes a checkpoint between batches
    /// and the WAL starts over.
    @Test func theWALStartsOverUnderSteadyLoad() async throws {
        let (dir, path) = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = SQLiteStore.Options()
        options.checkpointInterval = .milliseconds(10)
        options.walSizeLimit = 256 << 10
        let store = try SQLiteStore(path: path, options: options)
        var users: [Int64] = []
        for i in 0..<16 {
            users.append(try await store.createUser(username: "u\(i)", passwordHash: "x", isAdmin: false).id)
        }
        let text = String(repeating: "x", count: 500)
        let senders = users
        // 16 senders that never let the writer go idle: ~2,400 messages of
        // 500 bytes, megabytes of WAL frames in all.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, user) in senders.enumerated() {
                group.addTask {
                    for n in 0..<150 {
                        _ = try await store.sendDirect(DirectSend(from: user, device: "d", clientID: "c\(n)",
                                                                  to: senders[(i + 1) % senders.count],
                                                                  content: MessageContent(text: text)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let wal = try walSize(path)
        #expect(store.writer.walRestartCheckpoints > 0)
        // Without the restarts this run leaves a WAL of ~30 MiB; with them it
        // stays within a few times the limit (a request can find a reader in the way).
        #expect(wal < 8 << 20, "WAL of \(wal) bytes")
        try await store.close()
    }

    /// A directory of its own and the database path in it.
    private static func directory() throws -> (URL, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roost-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, dir.appendingPathComponent("roost.sqlite").path)
    }

    private func walSize(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
    }
}
