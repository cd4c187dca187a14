import Synchronization

/// End-to-end latencies in nanoseconds (generator's clock), summarised once at the end.
final class LatencyRecorder: Sendable {
    private let samples = Mutex<[UInt64]>([])

    func record(_ nanoseconds: UInt64) {
        samples.withLock { $0.append(nanoseconds) }
    }

    func summary() -> LatencySummary {
        let sorted = samples.withLock { $0.sorted() }
        guard !sorted.isEmpty else { return LatencySummary(p50: 0, p90: 0, p99: 0, max: 0) }
        func percentile(_ p: Double) -> Double {
            Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
        }
        return LatencySummary(p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99),
                              max: Double(sorted.last!) / 1e6)
    }
}

/// Milliseconds.
public struct LatencySummary: Codable, Sendable {
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let max: Double

    var text: String {
        "p50 \(format(p50)) ms, p90 \(format(p90)) ms, p99 \(format(p99)) ms, max \(format(max)) ms"
    }
}

func format(_ value: Double, decimals: Int = 2) -> String {
    let factor = pow10(decimals)
    return String(Double((value * factor).rounded()) / factor)
}

private func pow10(_ n: Int) -> Double {
    (0..<n).reduce(1.0) { acc, _ in acc * 10 }
}

/// Nanoseconds on a monotonic clock.
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

#if canImport(Glibc)
import Glibc
#endif
