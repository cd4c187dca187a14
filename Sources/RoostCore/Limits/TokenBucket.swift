/// A token bucket: holds up to `capacity` tokens, refills `refillPerSecond`
/// continuously, and a request passes when it can take its cost. A value
/// type without locks: the owner (a connection actor, or a shard under its
/// mutex) serialises access.
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    private(set) var tokens: Double
    private var updated: ContinuousClock.Instant

    public init(_ rule: RateRule, now: ContinuousClock.Instant = .now) {
        capacity = Double(rule.burst)
        refillPerSecond = rule.refillPerSecond
        tokens = capacity
        updated = now
    }

    /// Takes `cost` tokens if there are that many; false (and nothing taken) otherwise.
    public mutating func take(_ cost: Double = 1, now: ContinuousClock.Instant = .now) -> Bool {
        refill(now: now)
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// Takes `cost` tokens even if that goes negative: a penalty (a failed
    /// login) that delays the next success instead of being refused.
    public mutating func charge(_ cost: Double, now: ContinuousClock.Instant = .now) {
        refill(now: now)
        tokens = max(tokens - cost, -capacity)
    }

    /// True when the bucket would be full by `now`: it carries no state worth keeping.
    public func isFull(now: ContinuousClock.Instant) -> Bool {
        tokens + refillPerSecond * Self.seconds(now - updated) >= capacity
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = Self.seconds(now - updated)
        guard elapsed > 0 else { return }
        tokens = min(capacity, tokens + elapsed * refillPerSecond)
        updated = now
    }

    static func seconds(_ duration: Duration) -> Double {
        let c = duration.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
