import RoostProtocol

/// The limits that span connections (PROTOCOL.md 7), keyed by user, account
/// name or client IP. Per-connection request limits live in the connection
/// itself (`ConnectionLimits`), so the hot path of a frame takes no shared lock
/// except the sender's own shard for `send_message`.
public final class RateLimiter: Sendable {
    public let settings: RateSettings
    let messages: KeyedRateLimiter<Int64>
    let httpByIP: KeyedRateLimiter<String>
    let httpByUser: KeyedRateLimiter<Int64>
    let loginsByAccount: KeyedRateLimiter<String>
    let loginsByIP: KeyedRateLimiter<String>
    let registrations: KeyedRateLimiter<String>
    let connectionsByUser: KeyedRateLimiter<Int64>
    let connectionsByIP: KeyedRateLimiter<String>

    public init(_ settings: RateSettings) {
        self.settings = settings
        messages = KeyedRateLimiter(settings.messages)
        httpByIP = KeyedRateLimiter(settings.http)
        httpByUser = KeyedRateLimiter(settings.http)
        loginsByAccount = KeyedRateLimiter(settings.loginsPerAccount)
        loginsByIP = KeyedRateLimiter(settings.loginsPerIP)
        registrations = KeyedRateLimiter(settings.registrationsPerIP)
        connectionsByUser = KeyedRateLimiter(settings.connectionsPerUser)
        connectionsByIP = KeyedRateLimiter(settings.connectionsPerIP)
    }

    /// Loopback peers are not limited per IP unless configured (see `RateSettings.limitLoopback`).
    func exempt(_ ip: String?) -> Bool {
        guard !settings.limitLoopback, let ip else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// A `send_message` by `user`.
    public func message(by user: Int64) throws(RoostError) {
        guard messages.allow(user) else { throw .rateLimited("too many messages, slow down") }
    }

    /// Any `/api` request from `ip` (before authentication).
    public func httpRequest(from ip: String?) throws(RoostError) {
        guard (exempt(ip) || httpByIP.allow(ip ?? "-")) else { throw .rateLimited("too many requests from this address") }
    }

    /// Any authenticated `/api` request of `user`.
    public func httpRequest(by user: Int64) throws(RoostError) {
        guard httpByUser.allow(user) else { throw .rateLimited("too many requests") }
    }

    /// A login attempt for `account` from `ip`; both buckets must have a token.
    public func loginAttempt(account: String, from ip: String?) throws(RoostError) {
        guard (exempt(ip) || loginsByIP.allow(ip ?? "-")) else { throw .rateLimited("too many login attempts from this address") }
        guard loginsByAccount.allow(account) else { throw .rateLimited("too many login attempts for this account") }
    }

    /// A failed login: its extra cost makes guessing slower than logging in.
    public func loginFailed(account: String, from ip: String?) {
        loginsByAccount.charge(account, cost: settings.failedLoginCost)
        if !exempt(ip) { loginsByIP.charge(ip ?? "-", cost: settings.failedLoginCost) }
    }

    public func registration(from ip: String?) throws(RoostError) {
        guard (exempt(ip) || registrations.allow(ip ?? "-")) else { throw .rateLimited("too many registrations from this address") }
    }

    /// A new WebSocket connection from `ip` (any upgrade).
    public func connection(from ip: String?) throws(RoostError) {
        guard (exempt(ip) || connectionsByIP.allow(ip ?? "-")) else { throw .rateLimited("too many new connections from this address") }
    }

    /// A new session of `user` (token upgrade or `login` frame).
    public func connection(of user: Int64) throws(RoostError) {
        guard connectionsByUser.allow(user) else { throw .rateLimited("too many new connections for this user") }
    }
}

/// One connection's own buckets: requests per connection, and the strikes
/// that end a connection which keeps going over its limits. Owned by the
/// connection actor, so no lock.
struct ConnectionLimits {
    private var requests: TokenBucket?
    private var strikes: TokenBucket

    init(_ settings: RateSettings) {
        requests = settings.requests.isOff ? nil : TokenBucket(settings.requests)
        strikes = TokenBucket(RateRule(burst: max(settings.abuseStrikes, 1), per: .seconds(max(settings.abuseStrikes, 1))))
    }

    /// A request frame arrived; false if it is over the connection's limit.
    mutating func allowRequest() -> Bool {
        guard requests != nil else { return true }
        return requests!.take()
    }

    /// A request was refused as rate limited; false once the strikes are used
    /// up (refilled one per second): the connection should then be closed.
    mutating func strike() -> Bool {
        strikes.take()
    }
}
