/// Hand-written JSON for the frames on the hot path. Each message is rendered
/// for every device that receives it; going through `JSONEncoder` (generic
/// Codable machinery, a new encoder and a `Data` per call) cost more server CPU
/// than storing the message. The output is byte-identical to `JSONCodec`'s
/// (sorted keys, unescaped slashes): the golden tests compare both.
public enum JSONText {
    /// `string` as a JSON string literal.
    public static func quoted(_ string: String) -> String {
        var out = "\""
        out.reserveCapacity(string.utf8.count + 2)
        appendEscaped(string, to: &out)
        out.append("\"")
        return out
    }

    /// Appends `string` as a JSON string literal.
    static func appendQuoted(_ string: String, to out: inout String) {
        out.append("\"")
        appendEscaped(string, to: &out)
        out.append("\"")
    }

    static func appendEscaped(_ string: String, to out: inout String) {
        var needsEscape = false
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        guard needsEscape else {
            out.append(string)
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
    }
}

/// Builds one JSON object, members in the order they are added (callers add
/// them in sorted key order, as `JSONCodec` writes them).
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true

    /// Room for `capacity` bytes from the start: a string grown by appends
    /// reallocates at 16, 32, 64, 128... bytes, and these objects are written
    /// for every message (a fifth of the event loops' allocations, issue 9).
    init(capacity: Int = 96) {
        text.reserveCapacity(capacity)
    }

    private mutating func key(_ name: String) {
        if first { first = false } else { text.append(",") }
        text.append("\"")
        text.append(name)
        text.append("\":")
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        text.append("\"")
        JSONText.appendEscaped(value, to: &text)
        text.append("\"")
    }

    mutating func int<I: BinaryInteger>(_ name: String, _ value: I?) {
        guard let value else { return }
        key(name)
        text.append(String(value))
    }

    mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        text.append(value ? "true" : "false")
    }

    mutating func strings(_ name: String, _ values: [String]?) {
        guard let values else { return }
        key(name)
        text.append("[")
        for (i, value) in values.enumerated() {
            if i > 0 { text.append(",") }
            text.append("\"")
            JSONText.appendEscaped(value, to: &text)
            text.append("\"")
        }
        text.append("]")
    }

    mutating func raw(_ name: String, _ json: String?) {
        guard let json else { return }
        key(name)
        text.append(json)
    }

    mutating func finish() -> String {
        text.append("}")
        return text
    }
}

extension MessageContent {
    /// This content as JSON (sorted keys).
    public var jsonText: String {
        var w = JSONObjectWriter(capacity: (text?.utf8.count ?? 0) + (name?.utf8.count ?? 0) + 64)
        w.string("file_id", fileID)
        w.int("height", height)
        w.strings("mentions", mentions)
        w.string("mime", mime)
        w.string("name", name)
        w.string("reply_to", replyTo)
        w.int("size", size)
        w.string("text", text)
        w.int("width", width)
        return w.finish()
    }
}

extension MessageRecord {
    /// This record as JSON (sorted keys).
    public var jsonText: String {
        let content = content?.jsonText
        var w = JSONObjectWriter(capacity: (content?.utf8.count ?? 0) + 176)
        w.raw("content", content)
        w.string("conversation", conversation)
        w.int("edited_at", editedAt)
        w.string("from", from)
        w.string("group_id", groupID)
        w.string("message_id", messageID)
        // Rare, and a dictionary: JSONCodec writes it (keys sorted as it sorts them).
        w.raw("reactions", reactions.map { JSONCodec.encodeString($0) })
        w.bool("recalled", recalled)
        w.int("timestamp", timestamp)
        w.string("to", to)
        return w.finish()
    }
}

/// A result written by hand on the hot path instead of through `JSONCodec`
/// (same bytes: `JSONTextTests`).
protocol HandWrittenJSON {
    var jsonText: String { get }
}

extension SendResult: HandWrittenJSON {
    var jsonText: String {
        var w = JSONObjectWriter()
        w.string("message_id", messageID)
        w.int("seq", seq)
        w.int("timestamp", timestamp)
        return w.finish()
    }
}

/// The `welcome` frame (and `login` ack) of every new connection: through
/// `JSONCodec` it was ~4 % of the server's time in a burst of connections.
extension SessionInfo: HandWrittenJSON {
    var jsonText: String {
        var w = JSONObjectWriter()
        w.int("acked_seq", ackedSeq)
        w.string("device", device)
        w.string("epoch", epoch)
        w.int("head_seq", headSeq)
        w.string("user_id", userID)
        return w.finish()
    }
}
