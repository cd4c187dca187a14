import Synchronization
import RoostCore
import RoostProtocol

/// A connection's outbound queue: frames are queued without blocking and one
/// writer task sends them in order. The queue is bounded: a client that does
/// not read is closed instead of growing the server's memory; its items stay
/// in its inbox for the next connection.
final class WebSocketSink: FrameSink {
    enum Command: Sendable {
        case text(String)
        case close(CloseCode, String)
    }

    /// Frames queued on every connection of the process: `roost_outbound_queued_frames`.
    static let queuedEverywhere = Atomic<Int>(0)

    let stream: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation
    private let queued = Atomic<Int>(0)
    private let limit: Int
    private let controlFrames: ControlFrameClock

    init(limit: Int, controlFrames: ControlFrameClock = ControlFrameClock()) {
        (stream, continuation) = AsyncStream.makeStream(of: Command.self)
        self.limit = limit
        self.controlFrames = controlFrames
    }

    var lastControlFrame: ContinuousClock.Instant? { controlFrames.lastFrame }

    deinit {
        // Frames that never left (the socket closed first) leave the total with the queue.
        Self.queuedEverywhere.subtract(queued.load(ordering: .relaxed), ordering: .relaxed)
    }

    func send(_ frame: String) {
        Self.queuedEverywhere.add(1, ordering: .relaxed)
        let (_, depth) = queued.add(1, ordering: .relaxed)
        if depth > limit {
            close(.slowConsumer, reason: "slow consumer")
            return
        }
        continuation.yield(.text(frame))
    }

    func close(_ code: CloseCode, reason: String) {
        continuation.yield(.close(code, reason))
        continuation.finish()
    }

    /// The writer side: called once a frame left the queue.
    func sent() {
        queued.subtract(1, ordering: .relaxed)
        Self.queuedEverywhere.subtract(1, ordering: .relaxed)
    }

    /// Ends the queue (the socket is gone).
    func finish() {
        continuation.finish()
    }
}
