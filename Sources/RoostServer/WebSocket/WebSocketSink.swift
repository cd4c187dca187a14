import NIOCore
import RoostCore
import RoostProtocol
import RoostStorage
import Synchronization

/// A connection's way out, on its socket's event loop.
///
/// On an uncompressed socket (SessionFrameHandler), frames and the close are
/// written straight into the channel by the connection actor, which runs on
/// that loop. With permessage-deflate, frames go through a bounded queue to a
/// writer task and hummingbird-websocket's writer, which compresses them.
/// Either way a client that does not read is closed (1008) instead of growing
/// the server's memory; its items stay in its inbox for the next connection.
final class WebSocketSink: FrameSink {
    enum Command: Sendable {
        case text(String)
        case close(CloseCode, String)
    }

    /// Frames queued for the writer task on every connection of the process
    /// (`roost_outbound_queued_frames`; the direct path queues in the socket).
    static let queuedEverywhere = Atomic<Int>(0)

    let stream: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation
    private let queued = Atomic<Int>(0)
    private let limit: Int
    private let transport: SessionTransport

    init(limit: Int, transport: SessionTransport) {
        (stream, continuation) = AsyncStream.makeStream(of: Command.self)
        self.limit = limit
        self.transport = transport
    }

    var lastControlFrame: ContinuousClock.Instant? { transport.clock.lastFrame }

    var executor: any SerialExecutor { transport.eventLoop.executor }

    func execute(_ work: @escaping @Sendable () -> Void) {
        transport.eventLoop.execute(work)
    }

    var completionQueue: any CompletionQueue { transport.completionQueue }

    deinit {
        // Frames that never left (the socket closed first) leave the total with the queue.
        Self.queuedEverywhere.subtract(queued.load(ordering: .relaxed), ordering: .relaxed)
    }

    func send(_ frame: String) {
        if let handler = transport.handler {
            // Spelled out rather than `onLoop`: no closure for the usual call, from the loop.
            if transport.eventLoop.inEventLoop {
                handler.value.write(text: frame)
            } else {
                transport.eventLoop.execute { handler.value.write(text: frame) }
            }
            return
        }
        Self.queuedEverywhere.add(1, ordering: .relaxed)
        let (_, depth) = queued.add(1, ordering: .relaxed)
        if depth > limit {
            close(.slowConsumer, reason: "slow consumer")
            return
        }
        continuation.yield(.text(frame))
    }

    func close(_ code: CloseCode, reason: String) {
        if let handler = transport.handler {
            onLoop { handler.value.close(code, reason: reason) }
            return
        }
        continuation.yield(.close(code, reason))
        continuation.finish()
    }

    func schedule(at deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork {
        let delay = max(.zero, deadline - .now)
        return LoopTimer(scheduled: transport.eventLoop.scheduleTask(in: TimeAmount(delay), work))
    }

    func setReading(_ enabled: Bool) {
        guard let handler = transport.handler else { return }
        onLoop { handler.value.setReading(enabled) }
    }

    /// Runs `body` now when called on the socket's loop (the connection's
    /// own calls), else soon on it.
    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if transport.eventLoop.inEventLoop {
            body()
        } else {
            transport.eventLoop.execute(body)
        }
    }

    /// Messages read on the loop go to `connection` from now on.
    func attach(_ connection: ClientConnection) {
        guard let handler = transport.handler else { return }
        transport.eventLoop.execute { handler.value.attach(connection) }
    }

    /// The writer side: called once a frame left the queue.
    func sent() {
        queued.subtract(1, ordering: .relaxed)
        Self.queuedEverywhere.subtract(1, ordering: .relaxed)
    }

    /// Ends the queue (the socket is gone) and lets go of the connection.
    func finish() {
        continuation.finish()
        guard let handler = transport.handler else { return }
        transport.eventLoop.execute { handler.value.detach() }
    }
}

/// A connection timer in its event loop's timer heap.
struct LoopTimer: ScheduledWork {
    let scheduled: Scheduled<Void>

    func cancel() { scheduled.cancel() }
}

/// What the upgrade leaves a session: its socket's event loop, the clock of
/// its control frames, and the direct handler when no extension was negotiated.
struct SessionTransport: Sendable {
    let eventLoop: any EventLoop
    let clock: ControlFrameClock
    let handler: NIOLoopBound<SessionFrameHandler>?
    /// The loop's completion queue (LoopCompletionQueue), shared by its connections.
    let completionQueue: LoopCompletionQueue

    /// Made on `eventLoop`.
    init(eventLoop: any EventLoop, clock: ControlFrameClock, handler: NIOLoopBound<SessionFrameHandler>?) {
        self.eventLoop = eventLoop
        self.clock = clock
        self.handler = handler
        self.completionQueue = LoopCompletionQueue.current(on: eventLoop)
    }
}
