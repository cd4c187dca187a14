import Foundation
import RoostClient
import Synchronization

/// `mixed`: many users at once doing what users do: 1:1 and group messages,
/// reconnects that resume by cursor, and `sync_offline` pulls. Afterwards
/// every user's inbox is read back: every acked message addressed to a user
/// must be in it exactly once, with gap-free seqs.
public struct MixedScenario: Sendable {
    public struct Options: Sendable {
        public var users = 100
        public var groupSize = 10
        /// Pause between one user's actions.
        public var interval: Duration = .milliseconds(50)
        public var duration: Duration = .seconds(10)
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public var scenario = "mixed"
        public let users: Int
        public let durationS: Double
        public let sends: Int
        public let groupSends: Int
        public let reconnects: Int
        public let syncs: Int
        public let errors: Int
        public let opsPerS: Double
        public let lost: Int
        public let duplicated: Int
        public let seqGaps: Int
        public let serverCPUMicrosPerOp: Double?

        enum CodingKeys: String, CodingKey {
            case scenario, users, sends, reconnects, syncs, errors, lost, duplicated
            case durationS = "duration_s", groupSends = "group_sends", opsPerS = "ops_per_s", seqGaps = "seq_gaps"
            case serverCPUMicrosPerOp = "server_cpu_us_per_op"
        }

        public var summary: String {
            var text = """
            mixed: \(users) users for \(format(durationS)) s: \(sends) 1:1 and \(groupSends) group messages acked, \
            \(reconnects) reconnects, \(syncs) syncs, \(errors) errors: \(Int(opsPerS)) ops/s
              inboxes read back: lost \(lost), duplicated \(duplicated), seq gaps \(seqGaps)
            """
            if let cpu = serverCPUMicrosPerOp { text += "\n  server CPU \(format(cpu)) us per operation" }
            return text
        }
    }

    /// What the run expects in each user's inbox.
    final class Ledger: Sendable {
        let expected = Mutex<[String: Set<String>]>([:])
        let sends = Atomic<Int>(0)
        let groupSends = Atomic<Int>(0)
        let reconnects = Atomic<Int>(0)
        let syncs = Atomic<Int>(0)
        let errors = Atomic<Int>(0)

        func expect(_ messageID: String, for users: [String]) {
            expected.withLock { map in for user in users { map[user, default: []].insert(messageID) } }
        }
    }

    let context: BenchContext
    let options: Options

    public init(context: BenchContext, options: Options) {
        self.context = context
        self.options = options
    }

    public func run() async throws -> Result {
        let users = try await context.users.users(prefix: "bench-mixed", count: options.users)
        // Groups of `groupSize` consecutive users, created fresh for the run.
        var groupOf: [String: (id: String, members: [String])] = [:]
        for start in stride(from: 0, to: users.count, by: options.groupSize) {
            let members = Array(users[start..<min(users.count, start + options.groupSize)])
            let created = try await context.http.request(
                "POST", "/api/groups", json: ["name": "mixed-\(start)", "member_ids": members.dropFirst().map(\.userID)],
                token: members[0].token)
            guard created.status == 201, let id = created.json["group_id"] as? String else {
                throw BenchError.setup("group creation answered \(created.status)")
            }
            for member in members { groupOf[member.userID] = (id, members.map(\.userID)) }
        }
        let ledger = Ledger()
        let before = await context.probe.sample()
        let started = ContinuousClock.now
        let deadline = started + options.duration
        let groups = groupOf
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (index, user) in users.enumerated() {
                tasks.addTask {
                    try await actAsUser(user, index: index, everyone: users, group: groups[user.userID]!,
                                        ledger: ledger, until: deadline)
                }
            }
            try await tasks.waitForAll()
        }
        let elapsed = seconds(ContinuousClock.now - started)
        let after = await context.probe.sample()
        var lost = 0, duplicated = 0, gaps = 0
        let expected = ledger.expected.withLock { $0 }
        for user in users {
            let (ids, seqs) = try await readInbox(user)
            duplicated += ids.count - Set(ids).count
            gaps += zip(seqs, seqs.dropFirst()).filter { $1 != $0 + 1 }.count + (seqs.first.map { $0 == 1 ? 0 : 1 } ?? 0)
            lost += expected[user.userID, default: []].subtracting(ids).count
        }
        let sends = ledger.sends.load(ordering: .relaxed), groupSends = ledger.groupSends.load(ordering: .relaxed)
        let ops = sends + groupSends + ledger.reconnects.load(ordering: .relaxed) + ledger.syncs.load(ordering: .relaxed)
        return Result(users: users.count, durationS: elapsed, sends: sends, groupSends: groupSends,
                      reconnects: ledger.reconnects.load(ordering: .relaxed), syncs: ledger.syncs.load(ordering: .relaxed),
                      errors: ledger.errors.load(ordering: .relaxed), opsPerS: Double(ops) / elapsed,
                      lost: lost, duplicated: duplicated, seqGaps: gaps,
                      serverCPUMicrosPerOp: cpuMicroseconds(from: before, to: after, per: ops))
    }

    /// One user's loop: a request at a time, answered before the next.
    private func actAsUser(_ user: BenchUsers.User, index: Int, everyone: [BenchUsers.User],
                           group: (id: String, members: [String]), ledger: Ledger,
                           until deadline: ContinuousClock.Instant) async throws {
        var socket = try await connect(user)
        var counter = 0
        let runID = newRunID()
        while ContinuousClock.now < deadline {
            counter += 1
            let roll = Int.random(in: 0..<100)
            if roll < 5 {
                socket.close()
                socket = try await connect(user)
                ledger.reconnects.add(1, ordering: .relaxed)
                continue
            }
            let requestID = "x\(index)-\(runID)-\(counter)"
            let data: String
            var recipients: [String]
            if roll < 10 {
                data = "{\"since\":0,\"limit\":50}"
                recipients = []
                socket.send("{\"type\":\"sync_offline\",\"message_id\":\"\(requestID)\",\"data\":\(data)}")
            } else if roll < 30 {
                recipients = group.members
                socket.send("{\"type\":\"send_message\",\"message_id\":\"\(requestID)\",\"data\":{\"group_id\":\"\(group.id)\",\"content\":{\"text\":\"g\(counter)\"}}}")
            } else {
                let peer = everyone[Int.random(in: 0..<everyone.count)]
                recipients = Array(Set([peer.userID, user.userID]))
                socket.send("{\"type\":\"send_message\",\"message_id\":\"\(requestID)\",\"data\":{\"to\":\"\(peer.userID)\",\"content\":{\"text\":\"d\(counter)\"}}}")
            }
            guard let answer = await response(on: socket, ref: requestID) else {
                ledger.errors.add(1, ordering: .relaxed)
                socket.close()
                socket = try await connect(user)
                continue
            }
            if answer.type == "ack" {
                if let messageID = answer.messageID, !recipients.isEmpty {
                    ledger.expect(messageID, for: recipients)
                    if roll < 30 { ledger.groupSends.add(1, ordering: .relaxed) } else { ledger.sends.add(1, ordering: .relaxed) }
                } else {
                    ledger.syncs.add(1, ordering: .relaxed)
                }
                if let seq = answer.seq { socket.send("{\"type\":\"ack\",\"data\":{\"seq\":\(seq)}}") }
            } else {
                ledger.errors.add(1, ordering: .relaxed)
            }
            try await Task.sleep(for: options.interval)
        }
        socket.close()
    }

    private func connect(_ user: BenchUsers.User) async throws -> RoostSocket {
        try await RoostSocket.connect(url: context.http.webSocketURL(token: user.token, device: "mixed"))
    }

    /// Reads frames until the answer to `ref`, acking pushed items cumulatively on the way.
    private func response(on socket: RoostSocket, ref: String) async -> (type: String, messageID: String?, seq: Int64?)? {
        while let frame = await socket.next(timeout: .seconds(10)) {
            if let seq = FrameScan.seq(frame), !frame.hasPrefix("{\"type\":\"ack\"") {
                socket.send("{\"type\":\"ack\",\"data\":{\"seq\":\(seq)}}")
                continue
            }
            guard FrameScan.ref(frame).map(String.init) == ref else { continue }
            let type = FrameScan.type(frame).map(String.init) ?? ""
            let messageID = FrameScan.string(after: "\"message_id\":\"", in: frame).map(String.init)
            return (type, messageID, FrameScan.seq(frame))
        }
        return nil
    }

    /// Every item of the user's inbox, read with `sync_offline` pages from 0.
    private func readInbox(_ user: BenchUsers.User) async throws -> (messageIDs: [String], seqs: [Int64]) {
        let socket = try await RoostSocket.connect(url: context.http.webSocketURL(token: user.token, device: "mixed-check", since: Int64.max))
        defer { socket.close() }
        var ids: [String] = [], seqs: [Int64] = []
        var since: Int64 = 0
        var page = 0
        while true {
            page += 1
            let ref = "check-\(page)"
            socket.send("{\"type\":\"sync_offline\",\"message_id\":\"\(ref)\",\"data\":{\"since\":\(since),\"limit\":1000}}")
            var answer: [String: Any]?
            while let frame = await socket.next(timeout: .seconds(10)) {
                guard FrameScan.ref(frame).map(String.init) == ref else { continue }
                answer = (try? JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any])?["data"] as? [String: Any]
                break
            }
            guard let answer, let items = answer["items"] as? [[String: Any]] else { throw BenchError.setup("no sync answer") }
            for item in items {
                let data = item["data"] as? [String: Any] ?? [:]
                if let seq = data["seq"] as? Int { seqs.append(Int64(seq)); since = Int64(seq) }
                if item["type"] as? String == "message", let id = item["message_id"] as? String { ids.append(id) }
            }
            if answer["has_more"] as? Bool != true { break }
        }
        return (ids, seqs)
    }
}
