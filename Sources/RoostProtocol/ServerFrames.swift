import Foundation

/// Renders server frames. Items, acks, errors and ephemeral frames all leave
/// the server through here, so the envelope is written in exactly one way.
public enum ServerFrame {
    /// `{"type": "...", "data": {...}, "timestamp": ms[, "message_id": "..."]}`
    public static func item(_ item: InboxItem) -> String {
        let object: String, clientID: String?
        switch item.body {
        case .message(let record, let id):
            object = record.jsonText
            clientID = id
        case .recall(let recall):
            object = JSONCodec.encodeString(recall)
            clientID = nil
        case .other(_, let json):
            object = json
            clientID = nil
        }
        return envelope(type: item.body.type, object: object, timestamp: item.timestamp, messageID: item.messageID) {
            appendItemExtras(seq: item.seq, clientID: clientID, to: &$0)
        }
    }

    /// `ack` to a request: `data` is the result object plus `ref`.
    public static func ack<R: Encodable>(ref: String, result: R) -> String {
        ack(ref: ref, resultJSON: objectJSON(result))
    }

    /// The ack of every `send_message`: no dynamic cast to find its JSON.
    public static func ack(ref: String, result: SendResult) -> String {
        ack(ref: ref, resultJSON: result.jsonText)
    }

    /// `ack` whose result object is already JSON (e.g. `sync_offline`, which embeds item frames).
    public static func ack(ref: String, resultJSON: String) -> String {
        envelope(type: "ack", object: resultJSON, timestamp: nowMillis(), messageID: nil) { out in
            out.append("\"ref\":")
            JSONText.appendQuoted(ref, to: &out)
        }
    }

    public static func ack(ref: String) -> String {
        ack(ref: ref, resultJSON: "{}")
    }

    /// `error`: with `ref` when the request had a usable id, without otherwise.
    public static func error(_ error: RoostError, ref: String?) -> String {
        var data = "{"
        if let ref { data += "\"ref\":" + quoted(ref) + "," }
        data += "\"code\":" + quoted(error.code.rawValue) + ",\"message\":" + quoted(error.message) + "}"
        return envelope(type: "error", object: data, timestamp: nowMillis(), messageID: nil)
    }

    /// An ephemeral frame (no seq): `welcome`, `typing`, `presence`, `kicked`.
    public static func event<D: Encodable>(type: String, data: D) -> String {
        envelope(type: type, object: objectJSON(data), timestamp: nowMillis(), messageID: nil)
    }

    /// A frame's `data` object: written by hand where the type has that path
    /// (`HandWrittenJSON`), else through `JSONCodec`; the same bytes either way.
    private static func objectJSON<T: Encodable>(_ value: T) -> String {
        (value as? any HandWrittenJSON)?.jsonText ?? JSONCodec.encodeString(value)
    }

    static func appendItemExtras(seq: Int64, clientID: String?, to out: inout String) {
        out.append("\"seq\":")
        out.append(String(seq))
        if let clientID {
            out.append(",\"client_id\":")
            JSONText.appendQuoted(clientID, to: &out)
        }
    }

    /// `{"type":..,"data":<object>,"timestamp":..[,"message_id":..]}` written
    /// into one buffer; `extra` appends members to `object` (an item's `seq`,
    /// an ack's `ref`). The frames of every message are built here, and each
    /// intermediate string cost an allocation and a copy.
    static func envelope(type: String, object: String, timestamp: Int64, messageID: String?,
                         extra: ((inout String) -> Void)? = nil) -> String {
        var out = String()
        out.reserveCapacity(object.utf8.count + type.utf8.count + (messageID?.utf8.count ?? 0) + 96)
        out.append("{\"type\":")
        JSONText.appendQuoted(type, to: &out)
        out.append(",\"data\":")
        if let extra {
            precondition(object.utf8.last == UInt8(ascii: "}"), "not a JSON object")
            // Through the UTF-8 view: String's own dropLast counts characters
            // from the start (5 % of the server's time in a group's fan-out).
            out.append(contentsOf: object.utf8.count == 2 ? "{" : Substring(object.utf8.dropLast()))
            if object.utf8.count > 2 { out.append(",") }
            extra(&out)
            out.append("}")
        } else {
            out.append(object)
        }
        out.append(",\"timestamp\":")
        out.append(String(timestamp))
        if let messageID {
            out.append(",\"message_id\":")
            JSONText.appendQuoted(messageID, to: &out)
        }
        out.append("}")
        return out
    }

    static func quoted(_ string: String) -> String {
        JSONText.quoted(string)
    }
}

/// Milliseconds since 1970 from the wall clock: the one clock of the protocol.
public func nowMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
