import Synchronization

/// "At most one `typing` per second per conversation" (PROTOCOL.md 5) counted
/// per sender across all their devices, so a user with three tabs open does
/// not triple the frames their peers get. One lock around a small map, held
/// for a lookup; entries older than the interval are pruned as it grows.
public final class TypingThrottle: Sendable {
    struct Key: Hashable {
        let user: Int64
        let conversation: String
    }

    private let interval: Duration
    private let state = Mutex<[Key: ContinuousClock.Instant]>([:])
    /// Pruning runs when the map holds more entries than this.
    private let pruneAbove: Int

    public init(interval: Duration, pruneAbove: Int = 10_000) {
        self.interval = interval
        self.pruneAbove = pruneAbove
    }

    /// Whether `user` may send a typing frame in `conversation` now (and, if so, records it).
    public func allow(user: Int64, conversation: String, now: ContinuousClock.Instant = .now) -> Bool {
        let key = Key(user: user, conversation: conversation)
        return state.withLock { last in
            if let previous = last[key], now - previous < interval { return false }
            if last.count >= pruneAbove {
                last = last.filter { now - $0.value < interval }
            }
            last[key] = now
            return true
        }
    }
}
