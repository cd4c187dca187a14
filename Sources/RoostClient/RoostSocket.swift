import HTTPTypes
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket

/// One WebSocket to a Roost server, as an object: send text, read frames with
/// a timeout, close. The load generator, the terminal client and the tests all
/// speak to the server through it.
public final class RoostSocket: Sendable {
    enum Outbound: Sendable {
        case text(String)
        case binary([UInt8])
        case fragments([String])
        case ping
        case close
    }

    /// Why a connection could not be made.
    public enum ConnectError: Error, Sendable {
        case refused(String)
    }

    private let mailbox = Mailbox()
    private let outbound: AsyncStream<Outbound>.Continuation
    private let task: Task<Void, Never>

    private init(outbound: AsyncStream<Outbound>.Continuation, task: Task<Void, Never>) {
        self.outbound = outbound
        self.task = task
    }

    /// Connects to `url` (`ws://host:port/ws?...`, or `wss://`, verified with
    /// `tls`, nil: the system's roots); returns once the upgrade succeeded.
    /// Frames wait in the mailbox for `next`.
    public static func connect(
        url: String, headers: HTTPFields = [:], maxFrameSize: Int = 1 << 20, tls: TLSConfiguration? = nil,
        extensions: [WebSocketExtensionFactory] = [],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "roost.client"),
        onClose: (@Sendable (UInt16?) -> Void)? = nil
    ) async throws -> RoostSocket {
        let (stream, continuation) = AsyncStream.makeStream(of: Outbound.self)
        let box = SocketBox()
        let opened = AsyncStream.makeStream(of: Result<Void, any Error>.self)
        let task = Task {
            do {
                let configuration = WebSocketClientConfiguration(maxFrameSize: maxFrameSize, additionalHeaders: headers,
                                                                 extensions: extensions)
                let closeFrame = try await WebSocketClient.connect(
                    url: url, configuration: configuration, tlsConfiguration: tls, eventLoopGroup: eventLoopGroup,
                    logger: logger
                ) { inbound, writer, _ in
                    opened.continuation.yield(.success(()))
                    let mailbox = await box.mailbox()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await command in stream {
                                switch command {
                                case .text(let text): try await writer.write(.text(text))
                                case .binary(let bytes): try await writer.write(.binary(ByteBuffer(bytes: bytes)))
                                case .fragments(let pieces):
                                    for (index, piece) in pieces.enumerated() {
                                        try await writer.write(.custom(WebSocketFrame(
                                            fin: index == pieces.count - 1, opcode: index == 0 ? .text : .continuation,
                                            data: ByteBuffer(string: piece))))
                                    }
                                case .ping: try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())))
                                case .close:
                                    try await writer.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: maxFrameSize) {
                                guard case .text(let text) = message else { continue }
                                await mailbox.deliver(text)
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                opened.continuation.yield(.failure(ConnectError.refused("connection closed before the upgrade")))
                let code = closeFrame.map { UInt16(webSocketErrorCode: $0.closeCode) }
                onClose?(code)
                await box.mailbox().finish(closeCode: code)
            } catch {
                opened.continuation.yield(.failure(ConnectError.refused("\(error)")))
                onClose?(nil)
                await box.mailbox().finish(closeCode: nil)
            }
        }
        let socket = RoostSocket(outbound: continuation, task: task)
        await box.set(socket.mailbox)
        for await result in opened.stream {
            try result.get()
            return socket
        }
        throw ConnectError.refused("no connection")
    }

    public func send(_ text: String) {
        outbound.yield(.text(text))
    }

    /// One text message sent as several frames (RFC 6455 5.4 fragmentation),
    /// as proxies and some clients do: `pieces` joined are the message.
    public func sendFragmented(_ pieces: [String]) {
        outbound.yield(.fragments(pieces))
    }

    /// A WebSocket ping (answered by the server's transport with a pong).
    public func ping() {
        outbound.yield(.ping)
    }

    public func sendBinary(_ bytes: [UInt8]) {
        outbound.yield(.binary(bytes))
    }

    /// The next frame, or nil once the socket is closed or after `timeout`.
    public func next(timeout: Duration = .seconds(5)) async -> String? {
        await mailbox.next(timeout: timeout)
    }

    /// The close code the server sent, once closed.
    public var closeCode: UInt16? {
        get async { await mailbox.closeCode }
    }

    public var isClosed: Bool {
        get async { await mailbox.closed }
    }

    /// Waits until the socket is closed (nil code if it was not within `timeout`).
    public func waitClosed(timeout: Duration = .seconds(5)) async -> (closed: Bool, code: UInt16?) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await mailbox.closed { return (true, await mailbox.closeCode) }
            _ = await mailbox.next(timeout: .milliseconds(50))
        }
        return (await mailbox.closed, await mailbox.closeCode)
    }

    public func close() {
        outbound.yield(.close)
        outbound.finish()
    }

    deinit {
        outbound.finish()
    }
}

/// Hands the socket's mailbox to the connection task, which starts before the socket exists.
private actor SocketBox {
    private var value: Mailbox?
    private var waiters: [CheckedContinuation<Mailbox, Never>] = []

    func set(_ mailbox: Mailbox) {
        value = mailbox
        for waiter in waiters { waiter.resume(returning: mailbox) }
        waiters = []
    }

    func mailbox() async -> Mailbox {
        if let value { return value }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
