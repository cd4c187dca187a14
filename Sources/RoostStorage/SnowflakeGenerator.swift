import Synchronization

/// Snowflake ids: 41 bits of milliseconds since 2024-01-01, 10 bits of node,
/// 12 bits of sequence. Strictly increasing per server, also across restarts
/// (seeded from the highest stored id) and across a clock that steps back.
public final class SnowflakeGenerator: Sendable {
    public static let epochMillis: Int64 = 1_704_067_200_000
    private let node: Int64
    private let last: Mutex<Int64>

    public init(node: Int64 = 0, after lastIssued: Int64 = 0) {
        precondition((0..<1024).contains(node))
        self.node = node
        self.last = Mutex(lastIssued)
    }

    /// When the id was issued (ms since 1970, the clock of the node that issued it).
    public static func millis(of id: Int64) -> Int64 {
        (id >> 22) + epochMillis
    }

    public func next(now: Int64 = nowMillisForIDs()) -> Int64 {
        let floor = ((now - Self.epochMillis) << 22) | (node << 12)
        return last.withLock { last in
            var id = floor
            if id <= last {
                id = last + 1
                if id & 0xFFF == 0 || (id >> 12) & 0x3FF != node {
                    // Sequence overflow: borrow the next millisecond.
                    id = (((last >> 22) + 1) << 22) | (node << 12)
                }
            }
            last = id
            return id
        }
    }
}

public func nowMillisForIDs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
