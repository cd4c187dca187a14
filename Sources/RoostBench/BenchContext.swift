import Foundation
import RoostClient

/// What every scenario needs: where the server is, its accounts, its probe.
public struct BenchContext: Sendable {
    public let url: String
    public let serverPID: Int32?
    public let usersFile: String?

    public init(url: String, serverPID: Int32? = nil, usersFile: String? = nil) {
        self.url = url
        self.serverPID = serverPID
        self.usersFile = usersFile
    }

    var http: RoostHTTP { RoostHTTP(baseURL: url) }
    var users: BenchUsers { BenchUsers(http: http, file: usersFile) }
    var probe: ServerProbe { ServerProbe(http: http, pid: serverPID) }
}

/// Server CPU seconds spent between two samples, per unit of work, in microseconds.
func cpuMicroseconds(from before: ServerProbe.Sample, to after: ServerProbe.Sample, per count: Int) -> Double? {
    guard let start = before.cpuSeconds, let end = after.cpuSeconds, count > 0 else { return nil }
    return (end - start) * 1e6 / Double(count)
}

/// Distinguishes one run's request ids from earlier runs on the same accounts:
/// a repeated (device, message_id) is an idempotent resend to the server,
/// acked with the old result and not delivered again.
func newRunID() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 36)
}

/// A send_message frame whose text carries (stream, index, send time) for the receiver.
func benchSendFrame(requestID: String, to: String? = nil, groupID: String? = nil, stream: Int, index: Int,
                    sentAt: UInt64) -> String {
    let target = groupID.map { "\"group_id\":\"\($0)\"" } ?? "\"to\":\"\(to ?? "")\""
    return "{\"type\":\"send_message\",\"message_id\":\"\(requestID)\",\"data\":{\(target),\"content\":{\"text\":\"b:\(stream):\(index):\(sentAt)\"}}}"
}

/// Parses the text `b:<stream>:<index>:<sentAt>` out of a pushed message item.
func benchPayload(_ frame: String) -> (stream: Int, index: Int, sentAt: UInt64)? {
    guard let text = FrameScan.string(after: "\"text\":\"b:", in: frame) else { return nil }
    let parts = text.split(separator: ":")
    guard parts.count == 3, let stream = Int(parts[0]), let index = Int(parts[1]), let sentAt = UInt64(parts[2]) else {
        return nil
    }
    return (stream, index, sentAt)
}
