import RoostProtocol
import RoostStorage

/// Where a connection's frames go, and the thread its work runs on.
///
/// The transport implements it on the socket's event loop: the connection
/// actor runs on that loop (`executor`), so a frame written by the actor goes
/// straight into the channel, in order, with no task or thread between them.
/// A slow reader cannot grow memory without bound: the transport closes it.
public protocol FrameSink: Sendable {
    /// Writes a text frame; never blocks.
    func send(_ frame: String)
    /// Closes after the frames already written.
    func close(_ code: CloseCode, reason: String)
    /// When the transport last received a control frame (a ping or pong),
    /// which the connection never sees but which counts as traffic for the
    /// idle timeout (PROTOCOL.md 7). Nil if it never did.
    var lastControlFrame: ContinuousClock.Instant? { get }
    /// The executor the connection actor runs on (the socket's event loop).
    var executor: any SerialExecutor { get }
    /// Runs `work` on `executor` soon, without waiting for it: how other
    /// connections hand this one a push without a round trip.
    func execute(_ work: @escaping @Sendable () -> Void)
    /// Runs storage's completions on `executor`, shared by every connection
    /// of that thread: the writer hands it a batch's completions at once.
    var completionQueue: any CompletionQueue { get }
    /// Stops (false) or resumes (true) reading from the socket: the
    /// connection's inbound queue is full, or has room again.
    func setReading(_ enabled: Bool)
    /// Runs `work` on `executor` at `deadline`: the connection's idle, login
    /// and retry timers. A timer on the event loop costs an entry in its
    /// timer heap, where a sleeping task per timer cost a task and a thread hop.
    func schedule(at deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () -> Void) -> any ScheduledWork
}

/// A timer that has not fired yet, and can be called off.
public protocol ScheduledWork: Sendable {
    func cancel()
}

extension FrameSink {
    public var lastControlFrame: ContinuousClock.Instant? { nil }
    public func setReading(_ enabled: Bool) {}
}
