import Foundation
import Synchronization

/// `offline`: K messages to an offline device, then it connects; how long
/// until it holds all K (acking as it goes, as a client does).
public struct OfflineScenario: Sendable {
    public struct Result: Codable, Sendable {
        public var scenario = "offline"
        public let messages: Int
        public let storeSeconds: Double
        public let storeMsgsPerS: Double
        public let catchUpSeconds: Double
        public let itemsPerS: Double
        public let received: Int
        public let lost: Int
        public let duplicated: Int

        enum CodingKeys: String, CodingKey {
            case scenario, messages, received, lost, duplicated
            case storeSeconds = "store_s", storeMsgsPerS = "store_msgs_per_s"
            case catchUpSeconds = "catch_up_s", itemsPerS = "items_per_s"
        }

        public var summary: String {
            """
            offline: \(messages) messages stored in \(format(storeSeconds)) s (\(Int(storeMsgsPerS)) msgs/s)
              reconnecting device held all \(received) in \(format(catchUpSeconds, decimals: 3)) s (\(Int(itemsPerS)) items/s)
              lost \(lost), duplicated \(duplicated)
            """
        }
    }

    let context: BenchContext
    let messages: Int

    public init(context: BenchContext, messages: Int) {
        self.context = context
        self.messages = messages
    }

    public func run() async throws -> Result {
        let users = try await context.users.users(prefix: "bench-offline", count: 2)
        let sender = users[0], receiver = users[1]
        // Where the receiver's inbox stands before this run.
        let head = Mutex<Int64>(0)
        let probe = try await BenchPeer.connect(http: context.http, user: receiver, device: "probe") { _, _ in }
        try await BenchPeer.awaitWelcomes([probe])
        head.withLock { $0 = probe.held }
        probe.close()
        let startSeq = head.withLock { $0 }

        // Store K messages with 200 requests in flight.
        let acked = Atomic<Int>(0)
        let done = AsyncStream.makeStream(of: Void.self)
        let next = Atomic<Int>(0)
        let total = messages
        let senderPeer = try await BenchPeer.connect(http: context.http, user: sender, device: "bench") { peer, frame in
            if let seq = FrameScan.seq(frame) { peer.hold(seq) }
            guard frame.hasPrefix("{\"type\":\"ack\"") || frame.hasPrefix("{\"type\":\"error\"") else { return }
            let count = acked.add(1, ordering: .relaxed).newValue
            if count == total { done.continuation.yield() }
            let index = next.add(1, ordering: .relaxed).oldValue
            if index < total {
                peer.send(benchSendFrame(requestID: "o-\(index)-\(UInt32.random(in: 0...UInt32.max))", to: receiver.userID,
                                         stream: 0, index: index, sentAt: 0))
            }
        }
        let storeStart = ContinuousClock.now
        for _ in 0..<min(200, total) {
            let index = next.add(1, ordering: .relaxed).oldValue
            senderPeer.send(benchSendFrame(requestID: "o-\(index)-\(UInt32.random(in: 0...UInt32.max))", to: receiver.userID,
                                           stream: 0, index: index, sentAt: 0))
        }
        for await _ in done.stream { break }
        let storeSeconds = seconds(ContinuousClock.now - storeStart)
        senderPeer.flushAck()
        senderPeer.close()

        // The device comes back with its cursor and takes everything.
        let received = Atomic<Int>(0)
        let duplicated = Atomic<Int>(0)
        let all = AsyncStream.makeStream(of: Void.self)
        let seen = Mutex(Set<Int64>())
        let catchUpStart = ContinuousClock.now
        let device = try await BenchPeer.connect(http: context.http, user: receiver, device: "bench-offline",
                                                 since: startSeq, ackEvery: 64) { peer, frame in
            guard frame.hasPrefix("{\"type\":\"message\""), let seq = FrameScan.seq(frame) else { return }
            peer.hold(seq)
            guard seen.withLock({ $0.insert(seq).inserted }) else {
                duplicated.add(1, ordering: .relaxed)
                return
            }
            if received.add(1, ordering: .relaxed).newValue == total { all.continuation.yield() }
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            all.continuation.yield()
        }
        for await _ in all.stream { break }
        timeout.cancel()
        let catchUp = seconds(ContinuousClock.now - catchUpStart)
        try await BenchPeer.finish([device])
        let got = received.load(ordering: .relaxed)
        return Result(messages: total, storeSeconds: storeSeconds, storeMsgsPerS: Double(total) / storeSeconds,
                      catchUpSeconds: catchUp, itemsPerS: Double(got) / catchUp, received: got, lost: total - got,
                      duplicated: duplicated.load(ordering: .relaxed))
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
