import Foundation
import Synchronization

/// `pairs`: P online sender/receiver pairs. Closed loop (each sender keeps W
/// messages in flight) or open loop at a fixed offered rate (`rate`), which
/// gives honest latency under load. Latency is measured from the intended send
/// time to the receipt on the receiver, on the generator's clock.
public struct PairsScenario: Sendable {
    public struct Options: Sendable {
        public var pairs = 50
        public var inFlight = 10
        public var duration: Duration = .seconds(10)
        /// Messages per second over all pairs (open loop); nil for closed loop.
        public var rate: Double?
        /// Open loop: seconds offered at the same rate before the measured
        /// `duration`, left out of every figure (what the previous load left
        /// behind, such as indexing or a checkpoint, is not this load's latency).
        public var warmup: Duration = .seconds(1)
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public var scenario = "pairs"
        public let pairs: Int
        public let inFlight: Int
        public let offeredRate: Double?
        public let warmupS: Double?
        public let durationS: Double
        public let sent: Int
        public let acked: Int
        public let delivered: Int
        public let msgsPerS: Double
        public let latencyMs: LatencySummary
        public let lost: Int
        public let duplicated: Int
        public let outOfOrder: Int
        public let errors: Int
        public let serverCPUMicrosPerMsg: Double?

        enum CodingKeys: String, CodingKey {
            case scenario, pairs, sent, acked, delivered, lost, duplicated, errors
            case inFlight = "in_flight", offeredRate = "offered_rate", warmupS = "warmup_s", durationS = "duration_s"
            case msgsPerS = "msgs_per_s", latencyMs = "latency_ms", outOfOrder = "out_of_order"
            case serverCPUMicrosPerMsg = "server_cpu_us_per_msg"
        }

        public var summary: String {
            let warm = warmupS.map { $0 > 0 ? " after \(format($0)) s of warm-up" : "" } ?? ""
            var lines = ["pairs: \(pairs) pairs, " + (offeredRate.map { "open loop at \(Int($0)) msgs/s" } ?? "\(inFlight) in flight"),
                         "  delivered \(delivered) of \(sent) sent (\(acked) acked)\(warm), \(Int(msgsPerS)) msgs/s over the measured \(format(durationS)) s",
                         "  latency \(latencyMs.text)",
                         "  lost \(lost), duplicated \(duplicated), out of order \(outOfOrder), errors \(errors)"]
            if let cpu = serverCPUMicrosPerMsg { lines.append("  server CPU \(format(cpu)) us per delivered message") }
            return lines.joined(separator: "\n")
        }
    }

    /// Per pair bookkeeping, touched from the sender's and the receiver's callbacks.
    final class Pair: Sendable {
        struct State {
            var nextIndex = 0
            var inFlight = 0
            var acked = Set<Int>()
            var received = Set<Int>()
            var maxReceived = -1
            var duplicated = 0
            var outOfOrder = 0
            var errors = 0
        }

        let index: Int
        let receiverID: String
        let runID: String
        let state = Mutex(State())

        init(index: Int, receiverID: String, runID: String) {
            self.index = index
            self.receiverID = receiverID
            self.runID = runID
        }
    }

    let context: BenchContext
    let options: Options

    public init(context: BenchContext, options: Options) {
        self.context = context
        self.options = options
    }

    /// Creates the accounts once (kept in the users file).
    public func prepare() async throws {
        _ = try await context.users.users(prefix: "bench-pair", count: options.pairs * 2)
    }

    public func run() async throws -> Result {
        let users = try await context.users.users(prefix: "bench-pair", count: options.pairs * 2)
        let latencies = LatencyRecorder()
        let running = Atomic<Bool>(true)
        // Messages scheduled before this instant (the warm-up) count for loss only.
        let measuredFrom = Atomic<UInt64>(0)
        let measuredDelivered = Atomic<Int>(0)
        let runID = newRunID()
        let pairs = (0..<options.pairs).map { Pair(index: $0, receiverID: users[2 * $0 + 1].userID, runID: runID) }
        let openLoop = options.rate != nil
        let inFlight = options.inFlight

        var receivers: [BenchPeer] = []
        var senders: [BenchPeer] = []
        for pair in pairs {
            receivers.append(try await BenchPeer.connect(http: context.http, user: users[2 * pair.index + 1], device: "bench") { peer, frame in
                guard frame.hasPrefix("{\"type\":\"message\"") else { return }
                if let seq = FrameScan.seq(frame) { peer.hold(seq) }
                guard let payload = benchPayload(frame) else { return }
                let now = monotonicNanos()
                let fresh = pair.state.withLock { s -> Bool in
                    guard s.received.insert(payload.index).inserted else {
                        s.duplicated += 1
                        return false
                    }
                    if payload.index < s.maxReceived { s.outOfOrder += 1 }
                    s.maxReceived = max(s.maxReceived, payload.index)
                    return true
                }
                if fresh, payload.sentAt >= measuredFrom.load(ordering: .relaxed) {
                    latencies.record(now &- payload.sentAt)
                    measuredDelivered.add(1, ordering: .relaxed)
                }
            })
        }
        for pair in pairs {
            senders.append(try await BenchPeer.connect(http: context.http, user: users[2 * pair.index], device: "bench") { peer, frame in
                let isAck = frame.hasPrefix("{\"type\":\"ack\"")
                guard isAck || frame.hasPrefix("{\"type\":\"error\"") else {
                    if let seq = FrameScan.seq(frame) { peer.hold(seq) }
                    return
                }
                guard let ref = FrameScan.ref(frame), let index = Int(ref.split(separator: "-").last ?? "") else { return }
                if isAck, let seq = FrameScan.seq(frame) { peer.hold(seq) }
                pair.state.withLock { s in
                    s.inFlight -= 1
                    if isAck { s.acked.insert(index) } else { s.errors += 1 }
                    guard !openLoop, running.load(ordering: .relaxed) else { return }
                    s.inFlight += 1
                    Self.send(peer, pair: pair, index: s.nextIndex, at: monotonicNanos())
                    s.nextIndex += 1
                }
            })
        }

        let allPeers = receivers + senders
        try await BenchPeer.awaitWelcomes(allPeers)
        let flusher = BenchPeer.startAckFlusher(allPeers)
        defer { flusher.cancel() }
        if let rate = options.rate, options.warmup > .zero {
            // Set first: most warm-up messages arrive while it is still offered.
            measuredFrom.store(monotonicNanos() + UInt64(seconds(options.warmup) * 1e9), ordering: .relaxed)
            try await Self.offer(rate: rate, for: options.warmup, pairs: pairs, senders: senders)
        }
        let before = await context.probe.sample()
        let started = ContinuousClock.now
        if let rate = options.rate {
            try await Self.offer(rate: rate, for: options.duration, pairs: pairs, senders: senders)
        } else {
            for (pair, sender) in zip(pairs, senders) {
                for _ in 0..<inFlight {
                    pair.state.withLock { s in
                        s.inFlight += 1
                        Self.send(sender, pair: pair, index: s.nextIndex, at: monotonicNanos())
                        s.nextIndex += 1
                    }
                }
            }
            try await Task.sleep(for: options.duration)
        }
        running.store(false, ordering: .relaxed)
        let elapsed = ContinuousClock.now - started
        let after = await context.probe.sample()
        // Drain: wait until every acked message arrived, or give up after 5 s.
        let drainDeadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < drainDeadline {
            for peer in receivers + senders { peer.flushAck() }
            // Done when no request is unanswered and every acked message arrived.
            let pending = pairs.reduce(0) { sum, pair in
                sum + pair.state.withLock { $0.inFlight + $0.acked.subtracting($0.received).count }
            }
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await BenchPeer.finish(allPeers)

        let totals = pairs.map { pair in pair.state.withLock { s in
            (sent: s.nextIndex, acked: s.acked.count, delivered: s.received.count, lost: s.acked.subtracting(s.received).count,
             duplicated: s.duplicated, outOfOrder: s.outOfOrder, errors: s.errors)
        } }
        let measuredSeconds = seconds(elapsed)
        let delivered = totals.reduce(0) { $0 + $1.delivered }
        let measured = measuredDelivered.load(ordering: .relaxed)
        return Result(
            pairs: options.pairs, inFlight: options.inFlight, offeredRate: options.rate,
            warmupS: options.rate == nil ? nil : seconds(options.warmup), durationS: measuredSeconds,
            sent: totals.reduce(0) { $0 + $1.sent }, acked: totals.reduce(0) { $0 + $1.acked }, delivered: delivered,
            msgsPerS: Double(measured) / measuredSeconds, latencyMs: latencies.summary(),
            lost: totals.reduce(0) { $0 + $1.lost }, duplicated: totals.reduce(0) { $0 + $1.duplicated },
            outOfOrder: totals.reduce(0) { $0 + $1.outOfOrder }, errors: totals.reduce(0) { $0 + $1.errors },
            serverCPUMicrosPerMsg: cpuMicroseconds(from: before, to: after, per: measured))
    }

    /// Called under the pair's lock, where the index is taken: the first
    /// messages (from the run's task) and those sent on acks (from the
    /// socket's thread) leave in index order, which the server keeps (it
    /// numbers a connection's sends in arrival order). Taken under the lock
    /// and sent after it, an ack's send could overtake the last of the first
    /// burst: "out of order" at the receiver, the generator's own doing.
    static func send(_ peer: BenchPeer, pair: Pair, index: Int, at sentAt: UInt64) {
        peer.send(benchSendFrame(requestID: "p\(pair.index)-\(pair.runID)-\(index)", to: pair.receiverID, stream: pair.index,
                                 index: index, sentAt: sentAt))
    }

    /// Open loop: messages leave on schedule whatever the answers; latency counts from the schedule.
    static func offer(rate: Double, for duration: Duration, pairs: [Pair], senders: [BenchPeer]) async throws {
        let start = monotonicNanos()
        let interval = 1e9 / rate
        let end = start + UInt64(seconds(duration) * 1e9)
        var sentCount = 0
        while true {
            let now = monotonicNanos()
            if now >= end { break }
            // Message k is due at start + k * interval: k = 0 at once.
            let due = Int(Double(now - start) / interval) + 1
            while sentCount < due {
                let scheduled = start + UInt64(Double(sentCount) * interval)
                let slot = sentCount % pairs.count
                let pair = pairs[slot]
                let index = pair.state.withLock { s -> Int in
                    s.inFlight += 1
                    defer { s.nextIndex += 1 }
                    return s.nextIndex
                }
                send(senders[slot], pair: pair, index: index, at: scheduled)
                sentCount += 1
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
