import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOWebSocket
import RoostCore
import RoostProtocol
import Synchronization

/// `GET /ws`: the upgrade check, then one `ClientConnection` per socket, run
/// on the socket's event loop (SessionFrameHandler), with a task that keeps
/// the library's close handshake and control frames going.
struct WebSocketEndpoint {
    let services: RoostServices
    let handshake: HandshakeCheck
    let maxFrameBytes: Int
    /// Open connections, closed with 1001 on shutdown.
    let drain: ConnectionDrain
    var handshakeTimeout: Duration = .seconds(10)
    var httpIdleTimeout: Duration = .seconds(60)
    /// permessage-deflate offered to clients that ask for it (nil: not offered).
    /// Its value caps a message's decompressed size: no zip bombs.
    var compressionMaxDecompressedBytes: Int?
    /// Served over TLS (the scheme requests carry).
    var secure = false
    /// WebSocket sessions open now (authenticated or not), against `maxConnections`.
    let open = OpenConnections()

    final class OpenConnections: Sendable {
        let count = Atomic<Int>(0)
    }

    /// The HTTP/1.1 server with the `/ws` upgrade.
    func serverBuilder() -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            RoostHTTPChannel(
                responder: responder, path: "/ws",
                configuration: .init(maxFrameSize: maxFrameBytes, autoPing: .disabled),
                check: { request, remoteIP in try await check(request, remoteIP: remoteIP) },
                session: { inbound, outbound, grant, transport, logger in
                    try await run(inbound: inbound, outbound: outbound, grant: grant, transport: transport, logger: logger)
                },
                directSession: { channel, grant, transport, logger in
                    await runDirect(channel: channel, grant: grant, transport: transport, logger: logger)
                },
                handshakeTimeout: handshakeTimeout, httpIdleTimeout: httpIdleTimeout,
                extensions: compressionMaxDecompressedBytes.map {
                    [.perMessageDeflate(noContextTakeover: true, maxDecompressedFrameSize: $0)]
                } ?? [], secure: secure, maxOutboundBacklog: services.settings.outboundLimit)
        }
    }

    /// The same check as a plain route on the HTTP router: a refused upgrade
    /// falls through to it and gets its error status and JSON body.
    func addRefusals(to router: Router<RoostRequestContext>) {
        router.get("/ws") { request, context -> Response in
            _ = try await check(request.head, remoteIP: context.remoteIP)
            throw RoostError.badRequest("expected a WebSocket upgrade")
        }
    }

    func check(_ request: HTTPRequest, remoteIP: String?) async throws -> UpgradeGrant? {
        if open.count.load(ordering: .relaxed) >= services.settings.maxConnections {
            throw RoostError.rateLimited("the server is at its connection limit, retry later")
        }
        var query: [String: String] = [:]
        for (key, value) in URI(request.path ?? "/").queryParameters {
            query[String(key)] = String(value).removingPercentEncoding ?? String(value)
        }
        return try await handshake.check(origin: request.headerFields[.origin], host: request.authority, query: query,
                                         remoteIP: remoteIP)
    }

    /// An uncompressed socket: the session lives in its channel's handler, and
    /// this task only starts it. No task waits for the socket to close (a
    /// callback on the channel does the clean-up): a task's stack per idle
    /// connection was most of its memory.
    private func runDirect(channel: any Channel, grant: UpgradeGrant?, transport: SessionTransport,
                           logger: Logger) async {
        let sink = WebSocketSink(limit: services.settings.outboundLimit, transport: transport)
        let connection = services.makeConnection(sink: sink, logger: logger)
        guard drain.register(connection) else {
            sink.close(.goingAway, reason: "server shutting down")
            return
        }
        open.count.add(1, ordering: .relaxed)
        logger.info("connection opened", metadata: ["user": "\(grant.map { String($0.identity.userID) } ?? "-")"])
        sink.attach(connection)
        await connection.start(grant: grant)
        // After the start: a socket that closed meanwhile is forgotten only once it was registered.
        let (open, drain) = (self.open, self.drain)
        channel.closeFuture.whenComplete { _ in
            Task {
                await connection.connectionClosed()
                sink.finish()
                drain.unregister(connection)
                open.count.subtract(1, ordering: .relaxed)
                logger.info("connection closed")
            }
        }
    }

    private func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, grant: UpgradeGrant?,
                     transport: SessionTransport, logger: Logger) async throws {
        open.count.add(1, ordering: .relaxed)
        defer { open.count.subtract(1, ordering: .relaxed) }
        let sink = WebSocketSink(limit: services.settings.outboundLimit, transport: transport)
        let connection = services.makeConnection(sink: sink, logger: logger)
        guard drain.register(connection) else {
            // Shutting down: say so at once instead of starting a session.
            sink.close(.goingAway, reason: "server shutting down")
            await writeLoop(sink: sink, outbound: outbound)
            return
        }
        defer { drain.unregister(connection) }
        logger.info("connection opened", metadata: ["user": "\(grant.map { String($0.identity.userID) } ?? "-")"])
        var failure: (any Error)?
        await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                await writeLoop(sink: sink, outbound: outbound)
                return nil
            }
            group.addTask {
                await connection.start(grant: grant)
                do {
                    for try await message in inbound.messages(maxSize: maxFrameBytes) {
                        switch message {
                        case .text(let text): await connection.accept(.text(Data(text.utf8)))
                        case .binary: await connection.accept(.binary)
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }
            // Whichever side ends first (client gone, or the server closed) ends both.
            failure = await group.next() ?? nil
            group.cancelAll()
        }
        await connection.connectionClosed()
        sink.finish()
        logger.info("connection closed")
        // A frame over the limit surfaces here; rethrown, the framework closes with 1009.
        if let failure { throw failure }
    }

    private func writeLoop(sink: WebSocketSink, outbound: WebSocketOutboundWriter) async {
        for await command in sink.stream {
            switch command {
            case .text(let text):
                sink.sent()
                do { try await outbound.write(.text(text)) } catch { return }
            case .close(let code, let reason):
                try? await outbound.close(.init(codeNumber: Int(code.rawValue)), reason: reason)
                return
            }
        }
    }
}
