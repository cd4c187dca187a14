/// Hand-written JSON for the frames on the hot path. Each message is rendered
/// for every device that receives it; going through `JSONEncoder` (generic
/// Codable machinery, a new encoder and a `Data` per call) cost more server CPU
/// than storing the message. The output is byte-identical to `JSONCodec`'s
/// (sorted keys, unescaped slashes): the golden tests compare both.
public enum JSONText {
    /// `string` as a JSON string literal.
    public static func quoted(_ string: String) -> String {
        String(json: Quoted(string: string))
    }

    private struct Quoted: JSONWritable {
        let string: String
        func writeJSON<Output: JSONOutput>(to out: inout Output) { out.writeQuoted(string) }
    }
}

extension MessageContent: JSONObjectMembers {
    /// This content as JSON (sorted keys).
    public var jsonText: String { String(json: self) }

    func writeMembers<Output: JSONOutput>(_ m: inout JSONMembers, to out: inout Output) {
        m.string("file_id", fileID, to: &out)
        m.int("height", height, to: &out)
        m.strings("mentions", mentions, to: &out)
        m.string("mime", mime, to: &out)
        m.string("name", name, to: &out)
        m.string("reply_to", replyTo, to: &out)
        m.int("size", size, to: &out)
        m.string("text", text, to: &out)
        m.int("width", width, to: &out)
    }
}

extension MessageRecord: JSONObjectMembers {
    /// This record as JSON (sorted keys).
    public var jsonText: String { String(json: self) }

    func writeMembers<Output: JSONOutput>(_ m: inout JSONMembers, to out: inout Output) {
        m.value("content", content, to: &out)
        m.string("conversation", conversation, to: &out)
        m.int("edited_at", editedAt, to: &out)
        m.string("from", from, to: &out)
        m.string("group_id", groupID, to: &out)
        m.string("message_id", messageID, to: &out)
        // Rare, and a dictionary: JSONCodec writes it (keys sorted as it sorts them).
        m.raw("reactions", reactions.map { JSONCodec.encodeString($0) }, to: &out)
        m.bool("recalled", recalled, to: &out)
        m.int("timestamp", timestamp, to: &out)
        m.string("to", to, to: &out)
    }
}

/// The ack of every `send_message` (same bytes as `JSONCodec`: `JSONTextTests`).
extension SendResult: JSONObjectMembers {
    var jsonText: String { String(json: self) }

    func writeMembers<Output: JSONOutput>(_ m: inout JSONMembers, to out: inout Output) {
        m.string("message_id", messageID, to: &out)
        m.int("seq", seq, to: &out)
        m.int("timestamp", timestamp, to: &out)
    }
}

/// The `welcome` frame (and `login` ack) of every new connection: through
/// `JSONCodec` it was ~4 % of the server's time in a burst of connections.
extension SessionInfo: JSONObjectMembers {
    var jsonText: String { String(json: self) }

    func writeMembers<Output: JSONOutput>(_ m: inout JSONMembers, to out: inout Output) {
        m.int("acked_seq", ackedSeq, to: &out)
        m.string("device", device, to: &out)
        m.string("epoch", epoch, to: &out)
        m.int("head_seq", headSeq, to: &out)
        m.string("user_id", userID, to: &out)
    }
}
