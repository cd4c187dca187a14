import NIOCore
import NIOWebSocket
import RoostCore
import RoostProtocol

/// Hands a session's messages to its `ClientConnection` on the event loop
/// that read them, and writes its frames from there.
///
/// hummingbird-websocket's session API moves every message through an async
/// sequence and every frame through an async writer: a task switch and a
/// thread hop each way per frame, which was most of the per-message cost on
/// this 2-core machine. The connection actor runs on the socket's event loop,
/// so this handler can call it directly. It takes only data frames (text,
/// binary and their continuations) and leaves control frames, the close
/// handshake and errors to hummingbird-websocket. It is installed only when
/// no extension was negotiated (permessage-deflate frames take the library's path).
final class SessionFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// A message larger than this (all its fragments) closes the socket with 1009.
    let maxMessageBytes: Int
    /// Frames written while the socket was not writable, before the client is
    /// dropped as a slow consumer (`max-outbound-queue`).
    let maxBacklog: Int

    private var context: ChannelHandlerContext?
    private var connection: ClientConnection?
    /// Messages read before the session attached its connection.
    private var early: [InboundMessage] = []
    /// A fragmented message being put together.
    private var fragment: (text: Bool, data: ByteBuffer)?
    private var readingPaused = false
    private var readPending = false
    private var closing = false
    /// Frames written since the socket last became unwritable.
    private(set) var backlog = 0
    /// Asks the session to close with a code (the library runs the close handshake).
    var requestClose: ((CloseCode, String) -> Void)?

    init(maxMessageBytes: Int, maxBacklog: Int) {
        self.maxMessageBytes = maxMessageBytes
        self.maxBacklog = maxBacklog
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connection = nil
        early = []
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard fragment == nil else {
                // A new message before the last one's final fragment (RFC 6455 5.4).
                fragment = nil
                closeSession(.protocolError, reason: "data frame inside a fragmented message")
                return
            }
            if frame.fin {
                deliver(text: frame.opcode == .text, frame.unmaskedData)
            } else {
                fragment = (frame.opcode == .text, frame.unmaskedData)
                checkFragmentSize()
            }
        case .continuation:
            guard fragment != nil else {
                closeSession(.protocolError, reason: "continuation frame without a message")
                return
            }
            var part = frame.unmaskedData
            fragment!.data.writeBuffer(&part)
            guard checkFragmentSize() else { return }
            if frame.fin, let whole = fragment {
                fragment = nil
                deliver(text: whole.text, whole.data)
            }
        default:
            // Control frames: pings, pongs and the close handshake are the library's.
            context.fireChannelRead(data)
        }
    }

    @discardableResult
    private func checkFragmentSize() -> Bool {
        guard let fragment, fragment.data.readableBytes > maxMessageBytes else { return true }
        self.fragment = nil
        closeSession(.frameTooLarge, reason: "message too large")
        return false
    }

    private func deliver(text: Bool, _ data: ByteBuffer) {
        guard !closing else { return }
        let message: InboundMessage = text ? .text(String(buffer: data)) : .binary
        if let connection {
            connection.assumeIsolated { $0.accept(message) }
        } else {
            early.append(message)
        }
    }

    /// The session's connection: messages read so far go to it now, in order.
    func attach(_ connection: ClientConnection) {
        guard context != nil else { return }
        self.connection = connection
        let waiting = early
        early = []
        for message in waiting { connection.assumeIsolated { $0.accept(message) } }
    }

    func detach() {
        connection = nil
        early = []
    }

    // MARK: Backpressure

    func read(context: ChannelHandlerContext) {
        if readingPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func setReading(_ enabled: Bool) {
        readingPaused = !enabled
        if enabled, readPending, let context {
            readPending = false
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { backlog = 0 }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    /// Writes a text frame; the flush is merged with the others of this tick
    /// (FlushCoalescingHandler).
    func write(text: String) {
        guard let context, !closing else { return }
        if !context.channel.isWritable {
            backlog += 1
            if backlog > maxBacklog {
                closeSession(.slowConsumer, reason: "slow consumer")
                return
            }
        }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func closeSession(_ code: CloseCode, reason: String) {
        guard !closing else { return }
        closing = true
        requestClose?(code, reason)
    }
}
