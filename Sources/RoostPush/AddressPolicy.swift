import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses push requests to addresses that are not on the public internet
/// (loopback, RFC 1918, CGNAT, link-local with cloud metadata, unique-local,
/// multicast, reserved): a user-chosen URL must not become a way to poke at
/// the server's own network (SSRF). Checked on the literal at registration
/// and on every resolved address before each request.
enum AddressPolicy {
    enum Refusal: Error, CustomStringConvertible {
        case nonPublic(String)
        case unresolved(String)

        var description: String {
            switch self {
            case .nonPublic(let host): "\(host) resolves to a non-public address"
            case .unresolved(let host): "\(host) does not resolve"
            }
        }
    }

    /// `localhost` names and non-public IP literals.
    static func isNonPublicName(_ host: String) -> Bool {
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return true }
        if let v4 = ipv4(lowered) { return isNonPublic(v4: v4) }
        if let v6 = ipv6(lowered) { return isNonPublic(v6: v6) }
        return false
    }

    /// Resolves `host` off the cooperative pool and throws unless every address is public.
    static func requirePublic(_ host: String, port: Int) async throws {
        if isNonPublicName(host) { throw Refusal.nonPublic(host) }
        if ipv4(host) != nil || ipv6(host) != nil { return }
        let addresses = try await NIOThreadPool.singleton.runIfActive { try resolve(host, port: port) }
        guard !addresses.isEmpty else { throw Refusal.unresolved(host) }
        for bytes in addresses {
            let nonPublic = bytes.count == 4 ? isNonPublic(v4: bytes) : isNonPublic(v6: bytes)
            if nonPublic { throw Refusal.nonPublic(host) }
        }
    }

    static func isNonPublic(v4 b: [UInt8]) -> Bool {
        guard b.count == 4 else { return true }
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true              // CGNAT
        case (169, 254): return true                   // link-local, cloud metadata
        case (172, 16...31), (192, 168): return true
        case (192, 0) where b[2] == 0 || b[2] == 2: return true
        case (198, 18...19): return true               // benchmarking
        case (198, 51) where b[2] == 100: return true  // documentation
        case (203, 0) where b[2] == 113: return true   // documentation
        default: return b[0] >= 224                    // multicast, reserved, broadcast
        }
    }

    static func isNonPublic(v6 b: [UInt8]) -> Bool {
        guard b.count == 16 else { return true }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return true }                  // :: and ::1
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xff, b[11] == 0xff {  // ::ffff:a.b.c.d
            return isNonPublic(v4: Array(b[12..<16]))
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b {          // 64:ff9b::/96 NAT64
            return isNonPublic(v4: Array(b[12..<16]))
        }
        if b[0] & 0xfe == 0xfc { return true }                                  // fc00::/7 unique local
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return true }                    // fe80::/10 link-local
        if b[0] == 0xff { return true }                                         // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return true } // documentation
        return false
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    /// The raw addresses (4 or 16 bytes) `host` resolves to; blocking, so run on a thread pool.
    private static func resolve(_ host: String, port: Int) throws -> [[UInt8]] {
        var hints = addrinfo()
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Refusal.unresolved(host)
        }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let raw = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(withUnsafeBytes(of: address) { Array($0) })
                case AF_INET6:
                    let address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(withUnsafeBytes(of: address) { Array($0) })
                default:
                    addresses.append([])
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
