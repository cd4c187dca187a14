import Foundation
import HummingbirdWSCompression
import RoostClient
import Testing

/// permessage-deflate (`--ws-compression`): negotiated only when enabled,
/// messages round-trip compressed, and a small compressed frame that inflates
/// beyond the frame limit (a zip bomb) closes the connection instead of
/// growing memory.
@Suite("WebSocket compression")
struct CompressionTests {
    static let offer = ["Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"]

    static func connect(_ server: LiveServer, _ account: RoostHTTP.Account) async throws -> TestClient {
        let socket = try await RoostSocket.connect(url: server.http.webSocketURL(token: account.token),
                                                   extensions: [.perMessageDeflate(maxDecompressedFrameSize: 1 << 22)])
        let client = TestClient(socket: socket)
        let welcome = try #require(await client.nextFrame())
        #expect(welcome.type == "welcome")
        return client
    }

    @Test func negotiatedOnlyWhenEnabled() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let reply = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)", extra: Self.offer)
            #expect(reply.status == 101 && !reply.head.lowercased().contains("sec-websocket-extensions"))
        }
        try await LiveServer.run(configure: { $0.webSocketCompression = true }) { server in
            let alice = try await server.newUser("a")
            let reply = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)", extra: Self.offer)
            #expect(reply.status == 101)
            #expect(reply.head.lowercased().contains("sec-websocket-extensions: permessage-deflate"), "\(reply.head)")
        }
    }

    @Test func messagesRoundTripCompressed() async throws {
        try await LiveServer.run(configure: { $0.webSocketCompression = true }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await Self.connect(server, alice), b = try await Self.connect(server, bob)
            let text = String(repeating: "compressible text, ", count: 500)
            _ = try await a.sendText(text, to: bob.userID)
            #expect(try await b.item(ofType: "message").text == text)
        }
    }

    @Test func aZipBombClosesTheConnection() async throws {
        try await LiveServer.run(configure: { $0.webSocketCompression = true; $0.maxFrameBytes = 16 * 1024 }) { server in
            let alice = try await server.newUser("a")
            let a = try await Self.connect(server, alice)
            // About 1 MiB of text deflates to a few KiB: under the frame limit on the wire, far above it inflated.
            let bomb = #"{"type":"heartbeat","message_id":"x","data":{"pad":""# + String(repeating: "a", count: 1 << 20) + #""}}"#
            a.socket.send(bomb)
            let closed = await a.socket.waitClosed(timeout: .seconds(5))
            // swift-websocket reports the inflate overflow as 1011 (1009 would say it better).
            #expect(closed.closed && [1009, 1011].contains(closed.code), "closed: \(closed)")
            // The server is fine.
            let b = try await Self.connect(server, try await server.newUser("b"))
            try await b.heartbeat()
        }
    }
}
