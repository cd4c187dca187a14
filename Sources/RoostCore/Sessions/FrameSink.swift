import RoostProtocol

/// Where a connection's outbound frames go. The transport implements it with
/// a bounded queue drained by one writer task, so frames leave in the order
/// they were sent and a slow reader cannot grow memory without bound.
public protocol FrameSink: Sendable {
    /// Queues a text frame; never blocks.
    func send(_ frame: String)
    /// Queues a close after the frames already queued.
    func close(_ code: CloseCode, reason: String)
    /// When the transport last received a control frame (a ping or pong),
    /// which the connection never sees but which counts as traffic for the
    /// idle timeout (PROTOCOL.md 7). Nil if it never did.
    var lastControlFrame: ContinuousClock.Instant? { get }
}

extension FrameSink {
    public var lastControlFrame: ContinuousClock.Instant? { nil }
}
