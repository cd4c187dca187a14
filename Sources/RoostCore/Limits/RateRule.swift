/// One rate limit: a burst of `burst` requests, refilled at `burst` per
/// `period`. Written `N/s`, `N/min`, `N/h` or `N/<k>s` on the command line;
/// `off` (or a burst of 0) disables the limit.
public struct RateRule: Sendable, Equatable, CustomStringConvertible {
    public var burst: Int
    public var period: Duration

    public init(burst: Int, per period: Duration) {
        self.burst = burst
        self.period = period
    }

    public static let off = RateRule(burst: 0, per: .seconds(1))

    public var isOff: Bool { burst <= 0 }

    public var refillPerSecond: Double { Double(burst) / TokenBucket.seconds(period) }

    /// Parses `N/s`, `N/min`, `N/h`, `N/<k>s` or `off`.
    public init?(parsing text: String) {
        if text == "off" { self = .off; return }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let burst = Int(parts[0]), burst >= 0 else { return nil }
        let unit = parts[1]
        let period: Duration
        switch unit {
        case "s": period = .seconds(1)
        case "min", "m": period = .seconds(60)
        case "h": period = .seconds(3600)
        default:
            guard unit.hasSuffix("s"), let k = Double(unit.dropLast()), k > 0 else { return nil }
            period = .milliseconds(Int64(k * 1000))
        }
        self.init(burst: burst, per: period)
    }

    public var description: String {
        if isOff { return "off" }
        switch period {
        case .seconds(1): return "\(burst)/s"
        case .seconds(60): return "\(burst)/min"
        case .seconds(3600): return "\(burst)/h"
        default: return "\(burst)/\(TokenBucket.seconds(period))s"
        }
    }
}

/// Every rate limit of PROTOCOL.md 7. The defaults let a person on several
/// devices, or an office behind one NAT address, work without ever noticing;
/// they stop scripts. `docs/protocol.md` ("Rate limits") lists them.
public struct RateSettings: Sendable {
    /// `send_message` per user (all devices together).
    /// A burst of 600 lets a client flush a queued offline outbox at once.
    public var messages = RateRule(burst: 600, per: .seconds(60))
    /// Requests (frames with a `message_id`) per connection.
    public var requests = RateRule(burst: 1_000, per: .seconds(10))
    /// HTTP `/api` requests per client IP (and per authenticated user).
    public var http = RateRule(burst: 200, per: .seconds(1))
    /// `POST /api/login` attempts per account name.
    public var loginsPerAccount = RateRule(burst: 10, per: .seconds(60))
    /// `POST /api/login` attempts per client IP.
    public var loginsPerIP = RateRule(burst: 60, per: .seconds(60))
    /// Extra tokens a failed login costs (per account and per IP): guessing slows down.
    public var failedLoginCost: Double = 2
    /// `POST /api/register` per client IP.
    public var registrationsPerIP = RateRule(burst: 20, per: .seconds(3600))
    /// New `/ws` connections per user.
    public var connectionsPerUser = RateRule(burst: 20, per: .seconds(10))
    /// New `/ws` connections per client IP.
    public var connectionsPerIP = RateRule(burst: 200, per: .seconds(10))
    /// Rate-limited requests a connection may collect (refilled one per second)
    /// before it is closed with 1008: persistent abuse ends the connection.
    public var abuseStrikes = 100
    /// Whether per-IP limits also count loopback peers. Off by default: on one
    /// host every client behind a local reverse proxy (and every local tool or
    /// test) shares 127.0.0.1, and one noisy client would throttle all of them.
    public var limitLoopback = false

    public init() {}

    /// Every limit off (tests that are not about rate limits).
    public static var unlimited: RateSettings {
        var s = RateSettings()
        s.messages = .off; s.requests = .off; s.http = .off
        s.loginsPerAccount = .off; s.loginsPerIP = .off; s.registrationsPerIP = .off
        s.connectionsPerUser = .off; s.connectionsPerIP = .off
        return s
    }
}
