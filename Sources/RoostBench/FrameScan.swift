/// Field extraction for the load generator's hot path. Roost's frames are
/// written in one fixed shape (`ServerFrame`), so the generator reads the
/// three fields it needs by scanning instead of decoding whole JSON objects:
/// a full decode per frame would make the generator, not the server, the
/// bottleneck on a 2-core machine.
enum FrameScan {
    /// The frame's `type` (the envelope starts with it).
    static func type(_ frame: String) -> Substring? {
        string(after: "\"type\":\"", in: frame)
    }

    static func ref(_ frame: String) -> Substring? {
        string(after: "\"ref\":\"", in: frame)
    }

    static func seq(_ frame: String) -> Int64? {
        integer(after: "\"seq\":", in: frame)
    }

    static func string(after key: String, in frame: String) -> Substring? {
        guard let start = frame.range(of: key)?.upperBound else { return nil }
        guard let end = frame[start...].firstIndex(of: "\"") else { return nil }
        return frame[start..<end]
    }

    static func integer(after key: String, in frame: String) -> Int64? {
        guard let start = frame.range(of: key)?.upperBound else { return nil }
        var value: Int64 = 0
        var any = false
        for byte in frame[start...].utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { break }
            value = value * 10 + Int64(byte - 0x30)
            any = true
        }
        return any ? value : nil
    }
}
