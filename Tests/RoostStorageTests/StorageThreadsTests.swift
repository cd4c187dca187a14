import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RoostProtocol
@testable import RoostStorage
import Testing

/// The store's own threads: batches commit on the writer's thread, upkeep
/// (search indexing, WAL checkpoints) runs below normal priority, and
/// closing the store ends them all.
@Suite("SQLite store threads")
struct StorageThreadsTests {
    @Test func theWriterAndTheUpkeepRunOnThreadsOfTheirOwn() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roost-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = Set(try Self.threads().map(\.id))
        let store = try SQLiteStore(path: dir.appendingPathComponent("roost.sqlite").path)
        let started = try Self.threads().filter { !before.contains($0.id) }
        let writer = started.filter { $0.name == "roost-writer" }
        let upkeep = started.filter { ["roost-search", "roost-checkpt"].contains($0.name) }
        #expect(writer.count == 1)
        #expect(upkeep.map(\.name).sorted() == ["roost-checkpt", "roost-search"])
        // The writer at the process's priority, upkeep 10 below it.
        let own = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        #expect(writer.allSatisfy { $0.nice == own })
        #expect(upkeep.allSatisfy { $0.nice == min(own + 10, 19) })

        // A batch runs on the writer's thread, not on a task that hops to it.
        let name = try await store.writer.write { _, _ in Thread.current.name ?? "" }
        #expect(name == "roost-writer")
        let user = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        _ = try await store.sendDirect(DirectSend(from: user, device: "d", clientID: "c", to: user,
                                                  content: MessageContent(text: "hello")))

        try await store.close()
        let ours = Set((writer + upkeep).map(\.id))
        let deadline = ContinuousClock.now + .seconds(5)
        while try !Set(Self.threads().map(\.id)).isDisjoint(with: ours), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try Set(Self.threads().map(\.id)).isDisjoint(with: ours))
    }

    struct ThreadInfo {
        let id: String
        let name: String
        let nice: Int
    }

    /// This process's threads, from /proc (read with `readToEnd`:
    /// `String(contentsOfFile:)` reads only the first page of a /proc file).
    static func threads() throws -> [ThreadInfo] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { id in
            guard let comm = Self.read("/proc/self/task/\(id)/comm"),
                  let stat = Self.read("/proc/self/task/\(id)/stat"),
                  let end = stat.lastIndex(of: ")") else { return nil }
            // After "pid (comm)": state is field 3, nice field 19.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return ThreadInfo(id: id, name: comm.trimmingCharacters(in: .whitespacesAndNewlines), nice: nice)
        }
    }

    private static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).flatMap { String(data: $0, encoding: .utf8) }
    }
}
