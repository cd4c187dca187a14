import Foundation
import RoostClient

/// The server's CPU time and memory, from `/proc/<pid>` when the generator is
/// told the server's pid (same machine), else CPU from `/stats`.
struct ServerProbe: Sendable {
    let http: RoostHTTP
    let pid: Int32?

    struct Sample: Sendable {
        let cpuSeconds: Double?
        let rssBytes: Int?
    }

    func sample() async -> Sample {
        if let pid {
            return Sample(cpuSeconds: Self.procCPUSeconds(pid: pid), rssBytes: Self.procRSS(pid: pid))
        }
        let stats = try? await http.request("GET", "/stats")
        return Sample(cpuSeconds: stats?.json["cpu_seconds"] as? Double, rssBytes: nil)
    }

    /// utime + stime of `/proc/<pid>/stat`, in seconds.
    static func procCPUSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (utime + stime) / ticks
    }

    static func procRSS(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int(parts[1]) { return kib * 1024 }
        }
        return nil
    }
}
