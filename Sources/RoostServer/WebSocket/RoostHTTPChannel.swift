import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import RoostCore
import RoostProtocol
@_spi(WSInternal) import WSCore

/// HTTP/1.1 with a WebSocket upgrade on `/ws`, like hummingbird-websocket's
/// `HTTP1WebSocketUpgradeChannel` with one difference PROTOCOL.md needs: a
/// refused upgrade is not answered with a bare 400 but with the refusal's
/// status (401, 403, 400) and the JSON error body.
struct RoostHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    /// Runs an upgraded connection until it ends.
    typealias Session = @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, UpgradeGrant?, SessionTransport,
                                   Logger) async throws -> Void

    enum UpgradeResult: Sendable {
        /// An uncompressed WebSocket: its session runs in `SessionFrameHandler`.
        case direct(any Channel, UpgradeGrant?, SessionTransport)
        /// A WebSocket with an extension (permessage-deflate): hummingbird-websocket's session.
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, UpgradeGrant?, [any WebSocketExtension],
                       SessionTransport)
        /// Plain HTTP, or a refused upgrade (then `refusal` says why).
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, refusal: RoostError?)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    let responder: Responder
    let path: String
    let configuration: WebSocketServerConfiguration
    /// The upgrade check: a grant (or nil for login by frame) to upgrade, a throw to refuse.
    /// The second argument is the client's IP address (rate limits).
    let check: @Sendable (HTTPRequest, String?) async throws -> UpgradeGrant?
    let session: Session
    /// Runs an uncompressed WebSocket (SessionFrameHandler) until its channel closes.
    let directSession: @Sendable (any Channel, UpgradeGrant?, SessionTransport, Logger) async -> Void
    /// A connection must complete its first request within this.
    var handshakeTimeout: Duration = .seconds(10)
    /// An HTTP keep-alive connection idle this long is closed.
    var httpIdleTimeout: Duration = .seconds(60)
    /// Extensions the server offers (permessage-deflate when enabled), negotiated per upgrade.
    var extensions: [WebSocketExtensionFactory] = []
    /// Behind TLS (`--tls-cert`): requests carry the `https` scheme.
    var secure = false
    /// Frames written to a socket that does not take them before it is closed as a slow consumer.
    var maxOutboundBacklog = 4_096

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                HandshakeTimeoutHandler(timeout: TimeAmount(handshakeTimeout)),
                name: HandshakeTimeoutHandler.name)
            let grant = NIOLockedValueBox<UpgradeGrant?>(nil)
            let negotiated = NIOLockedValueBox<[any WebSocketExtension]>([])
            let builders = extensions.map { $0.build() }
            let refusal = NIOLockedValueBox<RoostError?>(nil)
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: configuration.maxFrameSize,
                shouldUpgrade: { channel, head in
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    let remoteIP = channel.remoteAddress?.ipAddress
                    promise.completeWithTask {
                        guard let request = try? HTTPRequest(head, secure: secure, splitCookie: false),
                              request.path?.split(separator: "?", maxSplits: 1).first.map(String.init) == path
                        else {
                            refusal.withLockedValue { $0 = .notFound("no WebSocket endpoint here") }
                            return nil
                        }
                        do {
                            let granted = try await check(request, remoteIP)
                            let (fields, agreed) = try builders.serverExtensionNegotiation(requestHeaders: request.headerFields)
                            grant.withLockedValue { $0 = granted }
                            negotiated.withLockedValue { $0 = agreed }
                            return HTTPHeaders(fields.map { ($0.name.rawName, $0.value) })
                        } catch let error as RoostError {
                            refusal.withLockedValue { $0 = error }
                            return nil
                        } catch {
                            refusal.withLockedValue { $0 = .internal() }
                            return nil
                        }
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        channel.pipeline.syncOperations.removeHandler(name: HandshakeTimeoutHandler.name, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler(), position: .first)
                        let clock = ControlFrameClock()
                        try channel.pipeline.syncOperations.addHandler(ControlFrameObserver(clock: clock))
                        let agreed = negotiated.withLockedValue { $0 }
                        let granted = grant.withLockedValue { $0 }
                        if agreed.isEmpty {
                            let frameWriter = try EncodedFrameWriter.install(in: channel)
                            let handler = SessionFrameHandler(maxMessageBytes: configuration.maxFrameSize,
                                                              maxBacklog: maxOutboundBacklog,
                                                              frameWriter: frameWriter)
                            try channel.pipeline.syncOperations.addHandler(handler)
                            let transport = SessionTransport(eventLoop: channel.eventLoop, clock: clock,
                                                             handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                            return UpgradeResult.direct(channel, granted, transport)
                        }
                        let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        return UpgradeResult.websocket(asyncChannel, granted, agreed,
                                                       SessionTransport(eventLoop: channel.eventLoop, clock: clock,
                                                                        handler: nil))
                    }
                })
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
                        channel.pipeline.syncOperations.removeHandler(name: HandshakeTimeoutHandler.name, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: httpIdleTimeout, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                        return UpgradeResult.notUpgraded(asyncChannel, refusal: refusal.withLockedValue { $0 })
                    }
                })
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: upgrades)
            pipeline.enablePipelining = false
            pipeline.enableErrorHandling = false
            pipeline.enableResponseHeaderValidation = false
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .notUpgraded(let http1, nil):
                await handleHTTP(asyncChannel: http1, logger: logger)
            case .notUpgraded(let http1, let refusal?):
                try await refuse(http1, with: refusal)
            case .direct(let channel, let grant, let transport):
                await directSession(channel, grant, transport, logger)
            case .websocket(let asyncChannel, let grant, let extensions, let transport):
                _ = try await WebSocketHandler.handle(
                    type: .server,
                    configuration: .init(
                        extensions: extensions, autoPing: configuration.autoPing, closeTimeout: configuration.closeTimeout,
                        validateUTF8: configuration.validateUTF8, maxFrameSize: configuration.maxFrameSize),
                    asyncChannel: asyncChannel,
                    context: Context(logger: logger),
                    handler: { inbound, outbound, context in
                        try await session(inbound, outbound, grant, transport, context.logger)
                    })
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Answers a refused upgrade with the error's status and body, then closes.
    private func refuse(_ channel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, with error: RoostError) async throws {
        let body = ByteBuffer(string: JSONCodec.encodeString(HTTPErrorBody(error)))
        try await channel.executeThenClose { _, outbound in
            let head = HTTPResponse(status: .init(code: error.code.httpStatus), headerFields: [
                .contentType: "application/json; charset=utf-8",
                .contentLength: String(body.readableBytes),
                .connection: "close",
            ])
            try await outbound.write(contentsOf: [.head(head), .body(body), .end(nil)])
        }
    }
}
