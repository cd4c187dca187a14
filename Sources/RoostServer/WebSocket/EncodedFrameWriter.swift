import NIOCore
import NIOWebSocket

/// Takes a session's text frames already encoded (`TextFrameEncoding`: the
/// header and the text in one buffer) and passes them on below NIOWebSocket's
/// encoder, towards TLS (when there is any) and the socket.
///
/// Through the encoder each frame cost a `WebSocketFrame`, a buffer for its
/// header, a second buffer for the text grown after it was allocated, two
/// pipeline passes and two iovecs of the `writev`: a sixth of the event
/// loops' allocations (issue 9). The close, pong and compressed frames still
/// go through the encoder; all are written on the loop, so they stay in order.
final class EncodedFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes and flushes an encoded frame (the flush is merged with the
    /// others of this tick, FlushCoalescingHandler).
    func write(encoded frame: ByteBuffer) {
        guard let context else { return }
        context.write(NIOAny(frame), promise: nil)
        context.flush()
    }

    /// Adds a writer just below the WebSocket encoder of `channel`.
    static func install(in channel: any Channel) throws -> EncodedFrameWriter {
        let writer = EncodedFrameWriter()
        let encoder = try channel.pipeline.syncOperations.handler(type: WebSocketFrameEncoder.self)
        try channel.pipeline.syncOperations.addHandler(writer, position: .before(encoder))
        return writer
    }
}
