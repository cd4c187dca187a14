import NIOCore

/// Closes a TCP connection that has not finished its first request (an
/// upgrade or plain HTTP) within the handshake timeout: half-open and stalled
/// sockets are reaped instead of holding a file descriptor forever. Removed
/// once the connection is upgraded or handed to the HTTP handlers (which have
/// their own idle timeout).
final class HandshakeTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    static let name = "roost.handshake-timeout"

    private let timeout: TimeAmount
    private var task: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        task = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
    }
}
