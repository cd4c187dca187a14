import Synchronization

/// State split by key over independently locked shards.
///
/// The session registry and the push filter are read for every delivery.
/// Behind one lock, every core's fan-out queued on that lock, and a group's
/// fan-out held it for its whole member list. Here a lookup holds one
/// shard's lock for one key's work; only the rare whole-state reads (counts,
/// the cluster's lists) visit every shard, one at a time.
package final class LockShards<State: Sendable>: Sendable {
    private final class Shard: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let shards: [Shard]
    /// 64 minus the bits of the shard index.
    private let shift: UInt64

    /// `count` is rounded up to a power of two.
    package init(count: Int = 64, initial: () -> State) {
        let bits = UInt64(Int.bitWidth - (max(count, 1) - 1).leadingZeroBitCount)
        shift = 64 - bits
        shards = (0..<(1 << bits)).map { _ in Shard(initial()) }
    }

    package var count: Int { shards.count }

    /// The shard of `key`: Fibonacci hashing, so keys that count up (user
    /// ids) spread over every shard.
    package func shardIndex(of key: Int64) -> Int {
        Int((UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    package func withLock<Result: Sendable>(for key: Int64, _ body: (inout State) -> Result) -> Result {
        shards[shardIndex(of: key)].state.withLock { state in body(&state) }
    }

    /// `body` on every shard in turn (never two locks at once).
    package func map<T: Sendable>(_ body: (inout State) -> T) -> [T] {
        shards.map { shard in shard.state.withLock { state in body(&state) } }
    }
}
