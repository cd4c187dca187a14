import Foundation
import NIOCore
import NIOWebSocket
import RoostCore
import RoostProtocol

/// The WebSocket session of one uncompressed socket, on its event loop.
///
/// hummingbird-websocket's session API costs each socket three Swift tasks
/// (the session, its reader, the close watcher) and each message a task switch
/// and a thread hop each way. Measured here that was about 19 KiB of task
/// stacks per idle connection and most of the per-message overhead. The
/// connection actor runs on the socket's event loop, so this handler hands it
/// messages directly and writes its frames straight into the channel. It
/// takes over what the library's session did on top of NIOWebSocket's codec:
/// putting fragments together, answering pings, and the close handshake
/// (RFC 6455 5.4, 5.5). The upgrade, extension negotiation and frame codec
/// stay the libraries'; a socket that negotiated permessage-deflate keeps the
/// library's session (WebSocketEndpoint).
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
    /// After the server's close frame, how long the client has to answer
    /// before the socket is closed anyway.
    let closeTimeout: TimeAmount
    /// Takes text frames encoded here, below NIOWebSocket's encoder.
    private let frameWriter: EncodedFrameWriter

    private var context: ChannelHandlerContext?
    private var connection: ClientConnection?
    /// Messages read before the session attached its connection.
    private var early: [InboundMessage] = []
    /// A fragmented message being put together.
    private var fragment: (text: Bool, data: ByteBuffer)?
    private var readingPaused = false
    private var readPending = false
    /// The server sent its close frame: nothing more is written or handed on.
    private var closing = false
    /// Frames written since the socket last became unwritable.
    private var backlog = 0

    init(maxMessageBytes: Int, maxBacklog: Int, frameWriter: EncodedFrameWriter,
         closeTimeout: TimeAmount = .seconds(5)) {
        self.frameWriter = frameWriter
        self.maxMessageBytes = maxMessageBytes
        self.maxBacklog = maxBacklog
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        detach()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            // No extension was negotiated, so no reserved bit may be set.
            close(.protocolError, reason: "reserved bits set")
            return
        }
        switch frame.opcode {
        case .text, .binary:
            guard fragment == nil else {
                // A new message before the last one's final fragment.
                fragment = nil
                close(.protocolError, reason: "data frame inside a fragmented message")
                return
            }
            if frame.fin {
                deliver(frame.opcode == .text ? .text(Self.payload(of: frame)) : .binary)
            } else {
                fragment = (frame.opcode == .text, frame.unmaskedData)
                checkFragmentSize()
            }
        case .continuation:
            guard fragment != nil else {
                close(.protocolError, reason: "continuation frame without a message")
                return
            }
            var part = frame.unmaskedData
            fragment!.data.writeBuffer(&part)
            guard checkFragmentSize() else { return }
            if frame.fin, let whole = fragment {
                fragment = nil
                deliver(whole.text ? .text(Data(whole.data.readableBytesView)) : .binary)
            }
        case .ping:
            guard !closing else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)),
                                  promise: nil)
        case .connectionClose:
            answerClose(frame, context: context)
        default:
            // Pongs (the ControlFrameObserver stamped them for the idle timer) and unknown opcodes.
            break
        }
    }

    /// The client's close frame: echo its code (RFC 6455 5.5.1) unless the
    /// server closed first, then end the TCP connection (the server's to end).
    private func answerClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if !closing {
            closing = true
            var data = frame.unmaskedData
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code = data.readWebSocketErrorCode() { reply.write(webSocketErrorCode: code) }
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)), promise: nil)
        }
        context.flush()
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Codec errors were answered (1002, 1009) by NIOWebSocket's protocol error handler.
        context.close(promise: nil)
    }

    @discardableResult
    private func checkFragmentSize() -> Bool {
        guard let fragment, fragment.data.readableBytes > maxMessageBytes else { return true }
        self.fragment = nil
        close(.frameTooLarge, reason: "message too large")
        return false
    }

    /// A whole message's payload, unmasked as it is copied out of the frame
    /// (`unmaskedData` made an unmasked copy in a buffer of its own first:
    /// two allocations and a copy more per message).
    private static func payload(of frame: WebSocketFrame) -> Data {
        var data = Data(frame.data.readableBytesView)
        guard let key = frame.maskKey else { return data }
        data.withUnsafeMutableBytes { bytes in
            for index in bytes.indices { bytes[index] ^= key[index & 3] }
        }
        return data
    }

    private func deliver(_ message: InboundMessage) {
        guard !closing else { return }
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

    /// Lets go of the connection (it holds this handler through its sink).
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

    /// Writes a text frame: encoded into the buffer of this tick's frames,
    /// written and flushed at the tick's end (EncodedFrameWriter).
    func write(text: String) {
        guard let context, !closing else { return }
        if !context.channel.isWritable {
            backlog += 1
            if backlog > maxBacklog {
                close(.slowConsumer, reason: "slow consumer")
                return
            }
        }
        frameWriter.write(text: text)
    }

    /// The server's close: its close frame after everything written before,
    /// then the client's answer or, after `closeTimeout`, the end of the socket.
    func close(_ code: CloseCode, reason: String) {
        guard let context, !closing else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: WebSocketErrorCode(codeNumber: Int(code.rawValue)))
        data.writeString(String(reason.utf8.prefix(123)) ?? "")
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)),
                              promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
    }
}
