/// A direct reading of the two frames every message costs, `send_message`
/// and `ack`, in their plain form: JSONDecoder was about a tenth of the
/// server's CPU under load (issue 9), most of it generic machinery for
/// these two shapes.
///
/// It accepts a strict subset and answers nil for anything else (an escape
/// sequence or control byte in a string, a fraction or exponent, `null`, an
/// unknown or repeated key, invalid UTF-8, another frame type); the caller
/// then decodes with JSONDecoder, which has the last word on every error. So
/// whatever it accepts, JSONDecoder decodes to the same values (tested on
/// generated frames in FastEnvelopeTests).
struct FastEnvelope {
    let type: String
    let messageID: ClientFrame.MessageIDField?
    let preDecoded: any Sendable

    static func scan(_ raw: UnsafeRawBufferPointer) -> FastEnvelope? {
        var reader = ByteReader(bytes: raw)
        return reader.envelope()
    }
}

/// A cursor over a frame's bytes; every method returns nil where the fast path gives up.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func envelope() -> FastEnvelope? {
        var type: String?
        var messageID: String?
        var data: Range<Int>?
        var sawTimestamp = false
        let complete = object { r, key in
            switch key {
            case "type" where type == nil:
                return Self.assign(r.string(), to: &type)
            case "message_id" where messageID == nil:
                return Self.assign(r.string(), to: &messageID)
            case "timestamp" where !sawTimestamp:
                sawTimestamp = true
                return r.integer() != nil
            case "data" where data == nil:
                let start = r.at
                guard r.skipObject() else { return false }
                data = start..<r.at
                return true
            default:
                return false
            }
        }
        skipSpace()
        guard complete, at == bytes.count, let type, let data else { return nil }
        let preDecoded: (any Sendable)?
        at = data.lowerBound
        switch type {
        case "ack": preDecoded = ack()
        case "send_message": preDecoded = sendMessage()
        default: return nil
        }
        guard let preDecoded else { return nil }
        return FastEnvelope(type: type, messageID: messageID.map { RequestID.isValid($0) ? .valid($0) : .invalid },
                            preDecoded: preDecoded)
    }

    private mutating func ack() -> AckRequest? {
        var seq: Int64?
        guard object({ r, key in
            guard key == "seq", seq == nil else { return false }
            return Self.assign(r.integer(), to: &seq)
        }), let seq else { return nil }
        return AckRequest(seq: seq)
    }

    private mutating func sendMessage() -> SendMessageRequest? {
        var to: String?, groupID: String?, content: MessageContent?
        guard object({ r, key in
            switch key {
            case "to" where to == nil:
                return Self.assign(r.string(), to: &to)
            case "group_id" where groupID == nil:
                return Self.assign(r.string(), to: &groupID)
            case "content" where content == nil:
                return Self.assign(r.messageContent(), to: &content)
            default:
                return false
            }
        }), let content else { return nil }
        return SendMessageRequest(to: to, groupID: groupID, content: content)
    }

    private mutating func messageContent() -> MessageContent? {
        var content = MessageContent()
        var seen: Set<String> = []
        let complete = object { r, key in
            guard seen.insert(key).inserted else { return false }
            switch key {
            case "text": return Self.assign(r.string(), to: &content.text)
            case "file_id": return Self.assign(r.string(), to: &content.fileID)
            case "name": return Self.assign(r.string(), to: &content.name)
            case "mime": return Self.assign(r.string(), to: &content.mime)
            case "reply_to": return Self.assign(r.string(), to: &content.replyTo)
            case "size": return Self.assign(r.integer(), to: &content.size)
            case "width": return Self.assign(r.integer().map(Int.init), to: &content.width)
            case "height": return Self.assign(r.integer().map(Int.init), to: &content.height)
            case "mentions": return Self.assign(r.stringArray(), to: &content.mentions)
            default: return false
            }
        }
        return complete ? content : nil
    }

    /// Stores a value read for a member; false (give up) when it could not be read.
    private static func assign<T>(_ value: T?, to field: inout T?) -> Bool {
        field = value
        return value != nil
    }

    // MARK: JSON pieces

    /// `{ "key": value, ... }`: `member` reads each value after its key and colon.
    private mutating func object(_ member: (inout ByteReader, String) -> Bool) -> Bool {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "}")) { return true }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}"))
        }
    }

    /// Moves past one object (its members checked later, by `ack`/`sendMessage`),
    /// balancing braces outside strings.
    private mutating func skipObject() -> Bool {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "{") else { return false }
        var depth = 0
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                guard string() != nil else { return false }
                continue
            }
            at += 1
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return true }
            }
        }
        return false
    }

    /// A string without escapes or control bytes, valid UTF-8.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        var ascii = true
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<at])
                at += 1
                // ASCII is valid UTF-8 as it is: `String(validating:)` looks
                // up generic metadata on every call (~1 % of the event loops).
                return ascii ? String(decoding: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
                    : String(validating: raw, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            at += 1
        }
        return nil
    }

    private mutating func stringArray() -> [String]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var items: [String] = []
        skipSpace()
        if take(UInt8(ascii: "]")) { return items }
        while true {
            skipSpace()
            guard let item = string() else { return nil }
            items.append(item)
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]")) ? items : nil
        }
    }

    /// `-?(0|[1-9][0-9]*)` within Int64, not followed by a fraction or exponent.
    private mutating func integer() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        let start = at
        var magnitude: UInt64 = 0
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[at] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            magnitude = sum
            at += 1
        }
        let digits = at - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): at += 1
            default: return
            }
        }
    }
}
