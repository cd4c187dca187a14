import Foundation
import RoostClient
import Synchronization

/// One generator connection that follows the protocol: it holds what it
/// received (items pushed to it, and its own items whose seq came in an ack)
/// and acknowledges cumulatively, every `ackEvery` items and on `flushAck`.
final class BenchPeer: Sendable {
    struct Cursor {
        var held: Int64 = 0
        var acked: Int64 = 0
        /// Seqs held above a gap (own items acked before an earlier push arrived).
        var above: Set<Int64> = []
    }

    let socket: BenchSocket
    private let cursor: Mutex<Cursor>
    private let welcomed = Mutex<(seen: Bool, callback: (@Sendable () -> Void)?)>((false, nil))
    private let ackEvery: Int64

    private init(socket: BenchSocket, start: Int64, ackEvery: Int64) {
        self.socket = socket
        self.cursor = Mutex(Cursor(held: start, acked: start))
        self.ackEvery = ackEvery
    }

    /// Connects as `user` (skipping any backlog unless `since` is given), from
    /// `source` if given, and routes frames to `onFrame`.
    static func connect(http: RoostHTTP, user: BenchUsers.User, device: String, since: Int64? = Int64.max,
                        source: String? = nil, ackEvery: Int64 = 16,
                        onFrame: @escaping @Sendable (BenchPeer, String) -> Void) async throws -> BenchPeer {
        let holder = PeerHolder()
        let socket = try await BenchSocket.connect(
            url: http.webSocketURL(token: user.token, device: device, since: since), source: source,
            onText: { text in holder.deliver(text) })
        // The cursor starts at the welcome's acked_seq; frames before the peer exists are replayed in order.
        let peer = BenchPeer(socket: socket, start: 0, ackEvery: ackEvery)
        holder.attach(peer, onFrame: onFrame)
        return peer
    }

    /// The welcome tells where this device's cursor is.
    func welcome(_ frame: String) {
        if let acked = FrameScan.integer(after: "\"acked_seq\":", in: frame) {
            cursor.withLock { $0 = Cursor(held: acked, acked: acked) }
        }
        let callback = welcomed.withLock { w -> (@Sendable () -> Void)? in
            w.seen = true
            defer { w.callback = nil }
            return w.callback
        }
        callback?()
    }

    /// Runs `callback` once the welcome frame arrived (at once if it already has).
    func onWelcome(_ callback: @escaping @Sendable () -> Void) {
        let now = welcomed.withLock { w -> Bool in
            if w.seen { return true }
            w.callback = callback
            return false
        }
        if now { callback() }
    }

    /// Waits until every peer's welcome arrived. A session is registered
    /// (and sees new items live) only when its welcome is sent; connecting
    /// with `since` beyond the head skips what committed before then, so a
    /// scenario that starts sending earlier would count those items as lost.
    static func awaitWelcomes(_ peers: [BenchPeer], timeout: Duration = .seconds(30)) async throws {
        let remaining = Atomic<Int>(peers.count)
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
        for peer in peers {
            peer.onWelcome {
                if remaining.subtract(1, ordering: .relaxed).newValue == 0 { continuation.yield(true) }
            }
        }
        if peers.isEmpty { continuation.yield(true) }
        let limit = Task {
            try? await Task.sleep(for: timeout)
            continuation.yield(false)
        }
        defer { limit.cancel() }
        var welcomed = false
        for await outcome in stream {
            welcomed = outcome
            break
        }
        guard welcomed else {
            throw BenchError.setup("\(remaining.load(ordering: .relaxed)) connection(s) got no welcome within \(timeout)")
        }
    }

    /// Notes that the device holds `seq` (an item pushed, or its own item from an ack).
    func hold(_ seq: Int64) {
        let ack: Int64? = cursor.withLock { c in
            guard seq > c.held else { return nil }
            guard seq == c.held + 1 else {
                c.above.insert(seq)
                return nil
            }
            c.held = seq
            while c.above.remove(c.held + 1) != nil { c.held += 1 }
            if c.held - c.acked >= ackEvery {
                c.acked = c.held
                return c.held
            }
            return nil
        }
        if let ack { sendAck(ack) }
    }

    /// Acks everything held that is not acked yet.
    func flushAck() {
        let ack: Int64? = cursor.withLock { c in
            guard c.held > c.acked else { return nil }
            c.acked = c.held
            return c.held
        }
        if let ack { sendAck(ack) }
    }

    var held: Int64 { cursor.withLock { $0.held } }

    /// Ends a run: final cumulative acks, a moment for them to reach the
    /// server (so the next run does not start with redeliveries), then close.
    static func finish(_ peers: [BenchPeer]) async throws {
        for peer in peers { peer.flushAck() }
        try await Task.sleep(for: .milliseconds(100))
        for peer in peers { peer.close() }
    }

    /// Acks what `peers` hold every 50 ms, so the tail of a burst is acked too.
    static func startAckFlusher(_ peers: [BenchPeer]) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                for peer in peers { peer.flushAck() }
            }
        }
    }

    private func sendAck(_ seq: Int64) {
        socket.send("{\"type\":\"ack\",\"data\":{\"seq\":\(seq)}}")
    }

    func send(_ text: String) {
        socket.send(text)
    }

    func close() {
        socket.close()
    }
}

/// Buffers frames that arrive before the peer object exists, then forwards.
private final class PeerHolder: Sendable {
    private struct State {
        var peer: BenchPeer?
        var onFrame: (@Sendable (BenchPeer, String) -> Void)?
        var early: [String] = []
    }

    private let state = Mutex(State())

    func deliver(_ text: String) {
        let target = state.withLock { s -> (BenchPeer, @Sendable (BenchPeer, String) -> Void)? in
            guard let peer = s.peer, let onFrame = s.onFrame else {
                s.early.append(text)
                return nil
            }
            return (peer, onFrame)
        }
        if let (peer, onFrame) = target { Self.route(peer, text, onFrame) }
    }

    /// Replays early frames under the lock so none overtakes them.
    func attach(_ peer: BenchPeer, onFrame: @escaping @Sendable (BenchPeer, String) -> Void) {
        state.withLock { s in
            for text in s.early { Self.route(peer, text, onFrame) }
            s.early = []
            s.peer = peer
            s.onFrame = onFrame
        }
    }

    private static func route(_ peer: BenchPeer, _ text: String, _ onFrame: @Sendable (BenchPeer, String) -> Void) {
        if text.hasPrefix("{\"type\":\"welcome\"") {
            peer.welcome(text)
            return
        }
        onFrame(peer, text)
    }
}
