import NIOCore
import NIOWebSocket

/// Writes a session's text frames, encoded here (`TextFrameEncoding`), below
/// NIOWebSocket's encoder, towards TLS (when there is any) and the socket.
///
/// Through the encoder each frame cost a `WebSocketFrame`, a buffer for its
/// header, a second buffer for the text grown after it was allocated, two
/// pipeline passes and two iovecs of the `writev`: a sixth of the event
/// loops' allocations (issue 9). The frames of one event-loop tick (the acks
/// of a batch of commits, the pushes posted meanwhile) are appended to one
/// buffer, which is written and flushed at the end of the tick: one buffer,
/// one write and one flush through the pipeline per tick instead of per
/// frame. Anything else that passes below the encoder (its close, pong and
/// compressed frames), a flush or a close first lets the buffered frames go,
/// so the order on the wire is the order of the writes.
final class EncodedFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// Room for a tick's frames from the start: most ticks write a few
    /// frames of a few hundred bytes.
    static let bufferCapacity = 4_096

    private var context: ChannelHandlerContext?
    /// This tick's frames, not yet written.
    private var pending: ByteBuffer?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        writePending()
        self.context = nil
    }

    /// Adds the frame of `text` to this tick's; they leave at its end.
    func write(text: String) {
        guard let context else { return }
        if pending == nil {
            pending = context.channel.allocator.buffer(
                capacity: max(text.utf8.count + TextFrameEncoding.maxHeaderBytes, Self.bufferCapacity))
            context.eventLoop.assumeIsolated().execute { self.writePending() }
        }
        TextFrameEncoding.append(text, to: &pending!)
    }

    /// Writes and flushes the buffered frames (the flush is merged with the
    /// others of this tick, FlushCoalescingHandler).
    private func writePending() {
        guard let context, let frames = pending else { return }
        pending = nil
        context.write(NIOAny(frames), promise: nil)
        context.flush()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        writePending()
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        writePending()
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        writePending()
        context.close(mode: mode, promise: promise)
    }

    /// Adds a writer just below the WebSocket encoder of `channel`.
    static func install(in channel: any Channel) throws -> EncodedFrameWriter {
        let writer = EncodedFrameWriter()
        let encoder = try channel.pipeline.syncOperations.handler(type: WebSocketFrameEncoder.self)
        try channel.pipeline.syncOperations.addHandler(writer, position: .before(encoder))
        return writer
    }
}
