import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 exchange over a TCP socket, for requests URLSession will not
/// send as written (a WebSocket upgrade that must be refused with a status).
enum RawHTTP {
    struct Reply {
        let status: Int
        let body: String
        /// The status line and headers.
        var head: String = ""
    }

    static func exchange(port: Int, request: String) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, request: request) })
            }
        }
    }

    /// `GET path` with WebSocket upgrade headers (and `extra` headers).
    static func upgrade(port: Int, path: String, extra: [String: String] = [:]) async throws -> Reply {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        for (name, value) in extra { request += "\(name): \(value)\r\n" }
        return try await exchange(port: port, request: request + "\r\n")
    }

    struct SocketError: Error {}

    /// A blocking TCP socket connected to 127.0.0.1:`port`; reads time out
    /// after `receiveTimeout` seconds; `receiveBuffer` shrinks SO_RCVBUF first.
    static func connectedSocket(port: Int, receiveTimeout: Int = 5, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError() }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw SocketError()
        }
        return fd
    }

    private static func blockingExchange(port: Int, request: String) throws -> Reply {
        let fd = try connectedSocket(port: port)
        defer { Glibc.close(fd) }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw SocketError() }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: chunk[0..<n])
            if let text = String(bytes: received, encoding: .utf8), text.hasPrefix("HTTP/1.1 101"),
               text.contains("\r\n\r\n") {
                break
            }
            if let text = String(bytes: received, encoding: .utf8), let split = text.range(of: "\r\n\r\n"),
               let lengthLine = text[..<split.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
               let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
               text.utf8.distance(from: split.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) >= length {
                break
            }
        }
        let text = String(decoding: received, as: UTF8.self)
        let statusLine = text.split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        let head = text.range(of: "\r\n\r\n").map { String(text[..<$0.lowerBound]) } ?? text
        return Reply(status: status, body: body, head: head)
    }
}
