import NIOCore

/// Merges the flushes of a burst of WebSocket frames into one syscall.
///
/// Every frame a connection sends (acks, pushed items) arrives from Swift
/// concurrency as its own write-and-flush; flushing each costs a `writev` per
/// frame, the dominant transport cost here. This handler defers a flush to the
/// end of the current event-loop tick, so frames written in the meantime
/// leave together. A close flushes first, so nothing queued is dropped.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var flushScheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            guard self.flushScheduled else { return }
            self.flushScheduled = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushScheduled {
            flushScheduled = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }
}
