import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The generator's WebSocket: NIO's client upgrader and one channel handler,
/// frames in and out on the socket's event loop.
///
/// Two reasons not to use hummingbird-websocket's client here (RoostClient's
/// `RoostSocket` still does, for the CLI and the tests). It cannot bind a
/// local address, and the idle scenario opens its connections from 127.0.0.x
/// source addresses, as issue 9 asks: from one address, 19,000 connections to
/// one port made the kernel search the ephemeral ports for a free 4-tuple at
/// every connect, a third of the generator's CPU (`__inet_hash_connect`).
/// And it runs every connection through async sequences and tasks, a wake-up
/// per frame: the generator shares the 2 cores with the server it measures
/// (docs/benchmarks.md).
final class BenchSocket: Sendable {
    enum Failure: Error {
        case notUpgraded
        case badURL(String)
    }

    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects to `url` (`ws://127.0.0.1:PORT/ws?token=...`), from `source`
    /// (an IPv4 address, any port) if given; text frames go to `onText` on
    /// the socket's event loop as they arrive.
    static func connect(url: String, source: String? = nil, onText: @escaping @Sendable (String) -> Void) async throws
        -> BenchSocket {
        guard let parts = URLComponents(string: url), let host = parts.host, let port = parts.port else {
            throw Failure.badURL(url)
        }
        let target = parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        // IP_BIND_ADDRESS_NO_PORT (Linux): the port is picked at connect, per
        // 4-tuple, instead of at bind, per address.
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let source {
            let bindAddressNoPort = ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: 24))
            bootstrap = bootstrap.channelOption(bindAddressNoPort, value: 1)
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
        }
        let upgraded = try await bootstrap.connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try Self.configureUpgrade(channel, host: "\(host):\(port)", target: target, onText: onText)
            }
        }
        let channel = try await upgraded.get()
        return BenchSocket(channel: channel)
    }

    private static func configureUpgrade(_ channel: any Channel, host: String, target: String,
                                         onText: @escaping @Sendable (String) -> Void) throws
        -> EventLoopFuture<any Channel> {
        let upgrader = NIOTypedWebSocketClientUpgrader<(any Channel)?>(upgradePipelineHandler: { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ReadingHandler(onText: onText))
                return channel
            }
        })
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<(any Channel)?>(
            upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers),
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(nil) })
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        // The server's first frame (`welcome`) often shares a read with the 101.
        pipeline.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
            .flatMapThrowing { channel in
                guard let channel else { throw Failure.notUpgraded }
                return channel
            }
    }

    /// One text frame (masked, as a client's must be).
    func send(_ text: String) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(),
                                   data: channel.allocator.buffer(string: text))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// A normal close frame, then the socket.
    func close() {
        let channel = self.channel
        channel.eventLoop.execute {
            var data = channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .normalClosure)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
            channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// Text frames to a callback (put together from fragments); pings answered;
/// a close from the server answered and the socket closed.
private final class ReadingHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let onText: @Sendable (String) -> Void
    private var fragments: ByteBuffer?

    init(onText: @escaping @Sendable (String) -> Void) {
        self.onText = onText
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            var payload = frame.unmaskedData
            if var pending = fragments {
                pending.writeBuffer(&payload)
                payload = pending
            }
            fragments = frame.fin ? nil : payload
            if frame.fin { onText(String(buffer: payload)) }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }
}
