import Foundation

/// What a push endpoint may be: an absolute `http` or `https` URL with a
/// host, no longer than the limit, and (unless private addresses are allowed)
/// not naming a loopback, private or link-local address literally. Names are
/// resolved and checked again before every request (`AddressPolicy`).
public struct PushEndpointRule: Sendable {
    /// Why an endpoint is refused (mapped to 400 `bad_request` by the route).
    public enum Violation: Error, Equatable, Sendable, CustomStringConvertible {
        case notAbsoluteHTTPURL
        case tooLong(max: Int)
        case privateAddress

        public var description: String {
            switch self {
            case .notAbsoluteHTTPURL: "endpoint must be an absolute http or https URL"
            case .tooLong(let max): "endpoint must be at most \(max) bytes"
            case .privateAddress: "endpoint must not be a loopback, private or link-local address"
            }
        }
    }

    public let maxBytes: Int
    public let allowPrivateAddresses: Bool

    public init(maxBytes: Int, allowPrivateAddresses: Bool) {
        self.maxBytes = maxBytes
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    public func check(_ endpoint: String) throws(Violation) {
        guard endpoint.utf8.count <= maxBytes else { throw .tooLong(max: maxBytes) }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = Self.host(of: url), !host.isEmpty,
              !endpoint.contains(where: { $0.isWhitespace })
        else { throw .notAbsoluteHTTPURL }
        if !allowPrivateAddresses, AddressPolicy.isNonPublicName(host) { throw .privateAddress }
    }

    /// The host without IPv6 brackets.
    static func host(of url: URL) -> String? {
        guard var host = url.host(percentEncoded: false) else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }
}
