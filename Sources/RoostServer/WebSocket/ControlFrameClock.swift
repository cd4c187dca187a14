import NIOCore
import NIOWebSocket
import RoostProtocol
import Synchronization

/// The time of the last inbound WebSocket ping or pong of one socket. The
/// WebSocket library answers pings itself and never hands them to the
/// session, yet PROTOCOL.md 7 counts them as traffic: this records them for
/// the idle timeout.
final class ControlFrameClock: Sendable {
    /// Nanoseconds of `ContinuousClock` since `origin`, 0 for never.
    private let last = Atomic<Int64>(0)
    private let origin = ContinuousClock.now

    func stamp() {
        let elapsed = ContinuousClock.now - origin
        last.store(max(elapsed.nanoseconds, 1), ordering: .relaxed)
    }

    var lastFrame: ContinuousClock.Instant? {
        let nanos = last.load(ordering: .relaxed)
        return nanos == 0 ? nil : origin + .nanoseconds(nanos)
    }
}

/// Stamps the clock for every inbound ping and pong, passing all frames on.
final class ControlFrameObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    let clock: ControlFrameClock

    init(clock: ControlFrameClock) {
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .ping || frame.opcode == .pong { clock.stamp() }
        context.fireChannelRead(data)
    }
}
