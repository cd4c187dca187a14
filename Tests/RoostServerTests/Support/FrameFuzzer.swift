import Foundation

/// Random and mutated client frames for the fuzz tests: valid envelopes with
/// wrong types, huge numbers, deep nesting, odd strings, and plain noise.
/// Seeded, so a failure can be replayed with the printed seed.
struct FrameFuzzer {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static let types = ["login", "heartbeat", "send_message", "sync_offline", "join_group", "leave_group", "history",
                        "read", "recall", "typing", "ack", "edit", "react", "", "SEND_MESSAGE", "welcome"]
    static let keys = ["to", "group_id", "content", "text", "file_id", "since", "limit", "conversation", "before",
                       "up_to", "message_id", "seq", "token", "device", "name", "mime"]

    /// A value of any JSON type, with weird members likely.
    mutating func value(depth: Int = 0) -> Any {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return NSNull()
        case 1: return Bool.random(using: &rng)
        case 2: return Int.random(in: Int.min...Int.max, using: &rng)
        case 3: return [0, -1, 1, Int64.max, Int64.min, 9_007_199_254_740_993].randomElement(using: &rng)!
        case 4: return Double.random(in: -1e300...1e300, using: &rng)
        case 5: return string()
        case 6: return ["u:1", "g:1", "u:", "g:-1", "x:1", "u:99999999999999999999", "1", "0", "-5"].randomElement(using: &rng)!
        case 7 where depth < 4: return (0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1) }
        case 8 where depth < 4:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) { object[Self.keys.randomElement(using: &rng)!] = value(depth: depth + 1) }
            return object
        default: return string()
        }
    }

    mutating func string() -> String {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return ""
        case 1: return String(repeating: "x", count: Int.random(in: 60...20_000, using: &rng))
        case 2: return "\u{0}\u{1F}\u{FEFF}\u{202E}é😀"
        case 3: return String((0..<Int.random(in: 1...30, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) })
        case 4: return "\(Int.random(in: 1...1_000_000, using: &rng))"
        default: return "t-\(UInt32.random(in: 0...UInt32.max, using: &rng))"
        }
    }

    /// One frame's text: mostly JSON objects shaped like requests, some noise.
    mutating func frame() -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:
            // Deep nesting.
            let depth = Int.random(in: 100...5_000, using: &rng)
            return "{\"type\":\"send_message\",\"message_id\":\"deep\",\"data\":" + String(repeating: "[", count: depth)
                + String(repeating: "]", count: depth) + "}"
        case 1:
            return String(decoding: (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) },
                          as: UTF8.self)
        case 2:
            return ["null", "[]", "1", "\"x\"", "{", "}", "{\"type\":1}", "{\"type\":null}", "{\"type\":\"heartbeat\",\"message_id\":1e999}",
                    "{\"type\":\"ack\",\"data\":{\"seq\":1e400}}", "{\"type\":\"sync_offline\",\"message_id\":\"s\",\"data\":{\"since\":-1e30}}"]
                .randomElement(using: &rng)!
        default:
            var object: [String: Any] = ["type": Self.types.randomElement(using: &rng)!]
            if Int.random(in: 0..<5, using: &rng) > 0 { object["message_id"] = Bool.random(using: &rng) ? string() : value() }
            object["data"] = Int.random(in: 0..<6, using: &rng) > 0 ? value(depth: 3) : value()
            if Bool.random(using: &rng) { object["timestamp"] = value(depth: 4) }
            let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Bytes for the codec: frames, with some bytes flipped (invalid UTF-8 included).
    mutating func mutatedBytes() -> Data {
        var bytes = Array(frame().utf8)
        for _ in 0..<Int.random(in: 0...4, using: &rng) where !bytes.isEmpty {
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0xFF, 0xC0, 0x80, 0xED, 0x00, 0x22].randomElement(using: &rng)!
        }
        return Data(bytes)
    }
}

/// SplitMix64: small, seedable, good enough for fuzzing.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
