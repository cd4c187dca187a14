import Foundation
import Glibc
import Testing

/// A client that stops reading: once its socket's buffers are full and more
/// than `max-outbound-queue` frames were written behind them (its window of
/// pushes, then their retries), the server closes it with 1008, and what it
/// never read stays in its inbox for the next connection. The limit is never
/// below the window (the default is 16 times it): a reading client takes a
/// full window at once.
@Suite("Slow consumer")
struct SlowConsumerTests {
    @Test func aClientThatStopsReadingIsClosedAndLosesNothing() async throws {
        try await LiveServer.run(configure: {
            $0.core.pushWindow = 100
            $0.core.maxOutboundQueue = 120
            $0.core.retryInterval = .milliseconds(200)
            // Only the queue's limit may end the stalled socket, not retries running out (4410).
            $0.core.retryAttempts = 1_000
        }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let aliceID = try #require(Int64(alice.userID))
            let stalled = try StalledSocket(port: server.port, path: "/ws?token=\(alice.token)&device=stalled")
            defer { stalled.close() }
            #expect(try await Self.eventually { server.services.registry.deviceCount(of: aliceID) == 1 })

            // 150 messages of 15 KB: a window of 100 pushes (1.5 MB) fills the
            // buffers of a socket whose reader never reads; the retries of the
            // window then pass the queue's limit.
            let b = try await TestClient.connect(server, bob)
            let text = String(repeating: "x", count: 15_000)
            let sent = 150
            for _ in 0..<sent {
                let ack = try await b.sendText(text, to: alice.userID)
                // Bob holds his own copies: unacked, their retries would end his connection (4410).
                b.sendFrame(["type": "ack", "data": ["seq": ack["seq"] as? Int ?? 0]])
            }
            #expect(try await Self.eventually(within: .seconds(20)) {
                server.services.registry.deviceCount(of: aliceID) == 0
            }, "the socket that stopped reading is dropped")
            // Its close frame (1008) waits behind what it never read, so only the end of the socket is certain.
            let end = await stalled.readToEnd()
            #expect(end.closed, "the server closed the socket")
            if let code = end.closeCode { #expect(code == 1008) }

            // Nothing is lost: the inbox holds every message, gap-free. (Read by
            // `sync_offline` in pages of 20 from a connection that skips the
            // pushes: with this test's 200 ms retries a reading client that
            // takes a window of 1.5 MB slowly would look stalled too.)
            let a = try await TestClient.connect(server, alice, device: "reader", since: Int64(sent))
            var seqs: [Int] = []
            while true {
                let page = try await a.sync(since: seqs.last ?? 0, limit: 20)
                let items = page["items"] as? [[String: Any]] ?? []
                seqs += items.compactMap { ($0["type"] as? String == "message") ? ($0["data"] as? [String: Any])?["seq"] as? Int : nil }
                guard page["has_more"] as? Bool == true, !items.isEmpty else { break }
            }
            #expect(seqs == Array(1...sent))
        }
    }

    @Test func aLimitBelowTheWindowStillLetsAReconnectTakeItsWindow() async throws {
        try await LiveServer.run(configure: {
            $0.core.pushWindow = 60
            $0.core.maxOutboundQueue = 4
        }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            // 60 messages of 15 KB wait for alice: her first window (900 KB) is
            // written at once, more than her socket takes before she reads.
            let b = try await TestClient.connect(server, bob)
            let text = String(repeating: "y", count: 15_000)
            for _ in 0..<60 {
                let ack = try await b.sendText(text, to: alice.userID)
                b.sendFrame(["type": "ack", "data": ["seq": ack["seq"] as? Int ?? 0]])
            }
            let a = try await TestClient.connect(server, alice)
            let items = try await a.items(60, timeout: .seconds(20))
            #expect(items.map(\.seq) == Array(1...60))
            try await a.heartbeat()   // still open: not dropped as a slow consumer
        }
    }

    /// Polls `condition` every 20 ms until it holds or `within` passes (state
    /// of another connection, which has no event to await).
    static func eventually(within: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}

/// A WebSocket client on a plain TCP socket that upgrades and then reads
/// nothing, with the smallest receive buffer the kernel allows.
final class StalledSocket: Sendable {
    struct Failure: Error {}
    let fd: Int32

    init(port: Int, path: String) throws {
        let fd = try RawHTTP.connectedSocket(port: port, receiveTimeout: 10, receiveBuffer: 4096)
        self.fd = fd
        // A failed upgrade throws out of init: no close() will come for the descriptor.
        var upgraded = false
        defer { if !upgraded { Glibc.close(fd) } }
        let request = Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").utf8)
        guard send(fd, request, request.count, 0) == request.count else { throw Failure() }
        // The 101 response, one byte at a time so that no frame after it is read.
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            guard recv(fd, &byte, 1, 0) == 1 else { throw Failure() }
            head.append(byte)
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw Failure() }
        upgraded = true
    }

    /// Reads everything the server sent until it closed the socket (false if
    /// it is still open after 10 s of silence), and the code of its close frame
    /// if that got through (server frames are unmasked).
    func readToEnd() async -> (closed: Bool, closeCode: UInt16?) {
        let fd = self.fd
        return await Task.detached {
            var stream: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            var closed = false
            while true {
                let n = recv(fd, &chunk, chunk.count, 0)
                if n > 0 {
                    stream.append(contentsOf: chunk[0..<n])
                    continue
                }
                // 0: orderly end; an error but the receive timeout: a reset.
                closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
                break
            }
            return (closed, Self.closeCode(in: stream))
        }.value
    }

    private static func closeCode(in stream: [UInt8]) -> UInt16? {
        var at = 0
        while at + 2 <= stream.count {
            let opcode = stream[at] & 0x0F
            var length = Int(stream[at + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard at + 4 <= stream.count else { break }
                length = Int(stream[at + 2]) << 8 | Int(stream[at + 3])
                header = 4
            } else if length == 127 {
                guard at + 10 <= stream.count else { break }
                length = (2..<10).reduce(0) { $0 << 8 | Int(stream[at + $1]) }
                header = 10
            }
            if opcode == 0x8, at + header + 2 <= stream.count {
                return UInt16(stream[at + header]) << 8 | UInt16(stream[at + header + 1])
            }
            at += header + length
        }
        return nil
    }

    func close() { Glibc.close(fd) }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
