import Synchronization

/// Token buckets by key (user id, IP address, account name), for limits that
/// span connections. The map is split into shards, each behind its own
/// mutex, so concurrent requests for different keys rarely meet on a lock,
/// and a shard holding too many keys forgets those whose bucket is full
/// again (idle keys carry no state), so memory stays bounded under a flood
/// of distinct keys.
public final class KeyedRateLimiter<Key: Hashable & Sendable>: Sendable {
    public let rule: RateRule
    private let shards: [Shard]
    private let maxKeysPerShard: Int

    public init(_ rule: RateRule, shards: Int = 16, maxKeysPerShard: Int = 4_096) {
        self.rule = rule
        self.shards = (0..<max(shards, 1)).map { _ in Shard() }
        self.maxKeysPerShard = maxKeysPerShard
    }

    /// Takes `cost` tokens from `key`'s bucket; true if they were there (or the rule is off).
    public func allow(_ key: Key, cost: Double = 1, now: ContinuousClock.Instant = .now) -> Bool {
        guard !rule.isOff else { return true }
        return shard(for: key).buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(rule, now: now)
            let allowed = bucket.take(cost, now: now)
            if buckets[key] == nil, buckets.count >= maxKeysPerShard { Self.evict(&buckets, now: now, keep: maxKeysPerShard / 2) }
            buckets[key] = bucket
            return allowed
        }
    }

    /// Charges a penalty to `key` without refusing anything now.
    public func charge(_ key: Key, cost: Double, now: ContinuousClock.Instant = .now) {
        guard !rule.isOff, cost > 0 else { return }
        shard(for: key).buckets.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(rule, now: now)
            bucket.charge(cost, now: now)
            buckets[key] = bucket
        }
    }

    /// Keys currently tracked (tests).
    public var trackedKeys: Int { shards.reduce(0) { sum, shard in sum + shard.buckets.withLock { $0.count } } }

    /// `Mutex` is not copyable, so each shard lives in a class of its own.
    private final class Shard: Sendable {
        let buckets = Mutex<[Key: TokenBucket]>([:])
    }

    private func shard(for key: Key) -> Shard {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    /// Drops idle (full) buckets; if still too many, drops arbitrary ones:
    /// forgetting a key only gives it a fresh burst.
    private static func evict(_ buckets: inout [Key: TokenBucket], now: ContinuousClock.Instant, keep: Int) {
        buckets = buckets.filter { !$0.value.isFull(now: now) }
        while buckets.count > keep, let key = buckets.keys.first { buckets[key] = nil }
    }
}
