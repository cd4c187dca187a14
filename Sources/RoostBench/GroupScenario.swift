import Foundation
import Synchronization

/// `group`: one group of G members, all online; S of them post with W
/// messages in flight each. Fan-out deliveries/s, latency per delivery, and the
/// server's CPU per delivery.
public struct GroupScenario: Sendable {
    public struct Options: Sendable {
        public var members = 100
        public var senders = 1
        public var inFlight = 10
        public var duration: Duration = .seconds(10)
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public var scenario = "group"
        public let members: Int
        public let senders: Int
        public let inFlight: Int
        public let durationS: Double
        public let messages: Int
        public let deliveries: Int
        public let deliveriesPerS: Double
        public let latencyMs: LatencySummary
        public let lost: Int
        public let duplicated: Int
        public let serverCPUMicrosPerDelivery: Double?

        enum CodingKeys: String, CodingKey {
            case scenario, members, senders, messages, deliveries, lost, duplicated
            case inFlight = "in_flight", durationS = "duration_s", deliveriesPerS = "deliveries_per_s"
            case latencyMs = "latency_ms", serverCPUMicrosPerDelivery = "server_cpu_us_per_delivery"
        }

        public var summary: String {
            var lines = ["group: \(members) members, \(senders) sender(s), \(inFlight) in flight",
                         "  \(messages) messages acked, \(deliveries) deliveries in \(format(durationS)) s: \(Int(deliveriesPerS)) deliveries/s",
                         "  latency \(latencyMs.text)",
                         "  lost \(lost), duplicated \(duplicated)"]
            if let cpu = serverCPUMicrosPerDelivery { lines.append("  server CPU \(format(cpu)) us per delivery") }
            return lines.joined(separator: "\n")
        }
    }

    /// What one member received from each sender (in order: the inbox guarantees it).
    final class Member: Sendable {
        let next: Mutex<[Int]>
        let duplicated = Atomic<Int>(0)
        let received = Atomic<Int>(0)

        init(senders: Int) {
            next = Mutex(Array(repeating: 0, count: senders))
        }
    }

    let context: BenchContext
    let options: Options

    public init(context: BenchContext, options: Options) {
        self.context = context
        self.options = options
    }

    public func run() async throws -> Result {
        let users = try await context.users.users(prefix: "bench-group", count: options.members)
        let owner = users[0]
        let created = try await context.http.request(
            "POST", "/api/groups", json: ["name": "bench-\(UInt32.random(in: 0...UInt32.max))",
                                          "member_ids": users.dropFirst().map(\.userID)], token: owner.token)
        guard created.status == 201, let groupID = created.json["group_id"] as? String else {
            throw BenchError.setup("group creation answered \(created.status)")
        }
        let latencies = LatencyRecorder()
        let members = users.map { _ in Member(senders: options.senders) }
        let senders = (0..<options.senders).map { _ in Sender() }
        let running = Atomic<Bool>(true)
        let inFlight = options.inFlight
        var peers: [BenchPeer] = []
        for (index, user) in users.enumerated() {
            let member = members[index]
            let sender = index < senders.count ? senders[index] : nil
            peers.append(try await BenchPeer.connect(http: context.http, user: user, device: "bench-group") { peer, frame in
                if let sender, frame.hasPrefix("{\"type\":\"ack\"") || frame.hasPrefix("{\"type\":\"error\"") {
                    let isAck = frame.hasPrefix("{\"type\":\"ack\"")
                    if isAck, let seq = FrameScan.seq(frame) { peer.hold(seq) }
                    sender.answered.add(1, ordering: .relaxed)
                    if isAck { sender.acked.add(1, ordering: .relaxed) }
                    if running.load(ordering: .relaxed) { sender.sendNext(peer, stream: index, groupID: groupID) }
                    return
                }
                guard frame.hasPrefix("{\"type\":\"message\"") else { return }
                if let seq = FrameScan.seq(frame) { peer.hold(seq) }
                // A sender's own message reaches its connection only as a retry: not a delivery.
                guard let payload = benchPayload(frame), sender == nil || payload.stream != index else { return }
                let fresh = member.next.withLock { next -> Bool in
                    guard payload.stream < next.count, payload.index >= next[payload.stream] else { return false }
                    next[payload.stream] = payload.index + 1
                    return true
                }
                if fresh {
                    member.received.add(1, ordering: .relaxed)
                    latencies.record(monotonicNanos() &- payload.sentAt)
                } else {
                    member.duplicated.add(1, ordering: .relaxed)
                }
            })
        }
        try await BenchPeer.awaitWelcomes(peers)
        let flusher = BenchPeer.startAckFlusher(peers)
        defer { flusher.cancel() }
        let before = await context.probe.sample()
        let started = ContinuousClock.now
        for (stream, sender) in senders.enumerated() {
            for _ in 0..<inFlight { sender.sendNext(peers[stream], stream: stream, groupID: groupID) }
        }
        try await Task.sleep(for: options.duration)
        running.store(false, ordering: .relaxed)
        let elapsed = seconds(ContinuousClock.now - started)
        let after = await context.probe.sample()
        // Every member but its sender should hold every acked message; wait for the tail.
        func expected() -> Int { senders.reduce(0) { $0 + $1.acked.load(ordering: .relaxed) } * (users.count - 1) }
        func delivered() -> Int { members.reduce(0) { $0 + $1.received.load(ordering: .relaxed) } }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let unanswered = senders.reduce(0) { $0 + $1.sent - $1.answered.load(ordering: .relaxed) }
            if unanswered == 0 && delivered() >= expected() { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await BenchPeer.finish(peers)
        let messages = senders.reduce(0) { $0 + $1.acked.load(ordering: .relaxed) }
        let deliveries = delivered()
        let expectedDeliveries = expected()
        return Result(members: users.count, senders: options.senders, inFlight: options.inFlight, durationS: elapsed,
                      messages: messages, deliveries: deliveries, deliveriesPerS: Double(deliveries) / elapsed,
                      latencyMs: latencies.summary(), lost: max(0, expectedDeliveries - deliveries),
                      duplicated: members.reduce(0) { $0 + $1.duplicated.load(ordering: .relaxed) },
                      serverCPUMicrosPerDelivery: cpuMicroseconds(from: before, to: after, per: deliveries))
    }
}

/// One posting member's counters.
final class Sender: Sendable {
    let runID = newRunID()
    /// Messages sent so far; a message's index and its place on the socket are
    /// taken under one lock: members check that each sender's messages arrive
    /// in index order, and the first sends race the first acks' sends.
    private let sentCount = Mutex<Int>(0)
    let answered = Atomic<Int>(0)
    let acked = Atomic<Int>(0)

    var sent: Int { sentCount.withLock { $0 } }

    func sendNext(_ peer: BenchPeer, stream: Int, groupID: String) {
        sentCount.withLock { count in
            let index = count
            count += 1
            peer.send(benchSendFrame(requestID: "g\(stream)-\(runID)-\(index)", groupID: groupID, stream: stream,
                                     index: index, sentAt: monotonicNanos()))
        }
    }
}

public enum BenchError: Error, Sendable {
    case setup(String)
}
