import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RoostProtocol
@testable import RoostStorage
import Synchronization
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

    /// `sendDirect(_:on:completion:)`: no task waits for the commit; the
    /// writer hands the completions of a batch to the caller's queue in one
    /// call, in the order the sends were submitted, and a refused send gets
    /// its error there too.
    @Test func submittedSendsCompleteOnTheirQueueInOrder() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roost-submit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("roost.sqlite").path)
        let user = try await store.createUser(username: "a", passwordHash: "x", isAdmin: false).id
        let queue = RecordingQueue()
        let count = 200
        let completions = Mutex<[(client: String, seq: Int64, onQueue: Bool)]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for index in 0..<count {
                // Notes to self: one inbox item each, numbered in commit order.
                let send = DirectSend(from: user, device: "d", clientID: "c\(index)", to: user,
                                      content: MessageContent(text: "m\(index)"))
                store.sendDirect(send, on: queue) { result in
                    let seq = (try? result.get())?.result.seq ?? -1
                    let all = completions.withLock {
                        $0.append(("c\(index)", seq, queue.isCurrent))
                        return $0.count
                    }
                    if all == count { done.resume() }
                }
            }
        }
        let seen = completions.withLock { $0 }
        #expect(seen.map(\.client) == (0..<count).map { "c\($0)" })
        #expect(seen.map(\.seq) == Array(1...Int64(count)))
        #expect(seen.allSatisfy { $0.onQueue })
        // Sends submitted while a batch commits complete together.
        #expect(queue.runs < count)

        let refused = await withCheckedContinuation { (answer: CheckedContinuation<(Result<SendOutcome, any Error>, Bool), Never>) in
            store.sendDirect(DirectSend(from: user, device: "d", clientID: "nobody", to: 987_654_321,
                                        content: MessageContent(text: "lost?")), on: queue) {
                answer.resume(returning: ($0, queue.isCurrent))
            }
        }
        #expect(refused.1)
        #expect(throws: RoostError.self) { try refused.0.get() }
        if case .failure(let error as RoostError) = refused.0 { #expect(error.code == .notFound) }
        #expect(try await store.head(of: user) == Int64(count))
        try await store.close()
    }

    /// A serial queue that counts the batches of completions it is handed.
    final class RecordingQueue: CompletionQueue {
        private let queue = DispatchQueue(label: "roost-test-completions")
        private let key = DispatchSpecificKey<Bool>()
        private let handed = Mutex(0)

        init() { queue.setSpecific(key: key, value: true) }

        var runs: Int { handed.withLock { $0 } }
        var isCurrent: Bool { DispatchQueue.getSpecific(key: key) == true }

        func run(_ work: [@Sendable () -> Void]) {
            handed.withLock { $0 += 1 }
            queue.async { for completion in work { completion() } }
        }
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
