import RoostProtocol

/// The checks of `GET /ws` before the upgrade (PROTOCOL.md 1 and 7), in
/// order: Origin (403), new connections from the IP (429), token (401),
/// device and since (400), new connections of the user (429), devices of the
/// user (409). A refusal leaves the user's open connections alone.
public struct HandshakeCheck: Sendable {
    public let allowedOrigins: Set<String>
    let tokens: TokenService
    let limiter: RateLimiter?
    let registry: SessionRegistry?
    let maxDevices: Int

    public init(allowedOrigins: Set<String>, tokens: TokenService, limiter: RateLimiter? = nil,
                registry: SessionRegistry? = nil, maxDevices: Int = .max) {
        self.allowedOrigins = allowedOrigins
        self.tokens = tokens
        self.limiter = limiter
        self.registry = registry
        self.maxDevices = maxDevices
    }

    /// Returns the grant when a token was given, nil when the client will log in by frame.
    public func check(origin: String?, host: String?, query: [String: String],
                      remoteIP: String? = nil) async throws(RoostError) -> UpgradeGrant? {
        if let origin, !isAllowed(origin: origin, host: host) {
            throw .forbidden("origin not allowed")
        }
        try limiter?.connection(from: remoteIP)
        let device = query["device"] ?? DeviceName.default
        var since: Int64?
        if let text = query["since"] {
            guard let value = Int64(text), value >= 0 else { throw .badRequest("since must be a non-negative integer") }
            since = value
        }
        guard let token = query["token"] else {
            guard DeviceName.isValid(device) else { throw .badRequest("invalid device name") }
            return nil
        }
        let user = try await tokens.authenticate(token)
        guard DeviceName.isValid(device) else { throw .badRequest("invalid device name") }
        try limiter?.connection(of: user.id)
        if let registry, !(registry.hasRoom(for: user.id, device: device, maxDevices: maxDevices)) {
            throw .conflict("at most \(maxDevices) devices of a user may be connected at once")
        }
        return UpgradeGrant(identity: Identity(userID: user.id, device: device), since: since,
                            tokenVersion: user.tokenVersion)
    }

    /// Same origin as the request's `Host` (http or https, default ports filled
    /// in), or listed in the allow-list.
    func isAllowed(origin: String, host: String?) -> Bool {
        if allowedOrigins.contains(origin) || allowedOrigins.contains("*") { return true }
        guard let host, !host.isEmpty else { return false }
        let lowered = origin.lowercased()
        let scheme: String, rest: Substring
        if lowered.hasPrefix("http://") {
            scheme = "http"; rest = lowered.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            scheme = "https"; rest = lowered.dropFirst(8)
        } else if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") {
            // Non-browser WebSocket clients (Hummingbird's among them) send
            // `ws://<host>` without the port. Browsers never send a ws origin,
            // so accepting the same host name does not weaken the check.
            let host = host.lowercased()
            return Self.hostName(lowered.drop(while: { $0 != "/" }).dropFirst(2)) == Self.hostName(Substring(host))
        } else {
            return false
        }
        guard !rest.contains("/") else { return false }
        return Self.withPort(String(rest), scheme: scheme) == Self.withPort(host.lowercased(), scheme: scheme)
    }

    static func hostName(_ authority: Substring) -> Substring {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return authority[...end] }
        return authority.split(separator: ":", maxSplits: 1).first ?? authority
    }

    static func withPort(_ authority: String, scheme: String) -> String {
        // An IPv6 literal ends with `]`; a port follows the last `:` after it.
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            return authority
        }
        return authority + (scheme == "https" ? ":443" : ":80")
    }
}
