import Foundation

/// Renders server frames. Items, acks, errors and ephemeral frames all leave
/// the server through here, so the envelope is written in exactly one way.
public enum ServerFrame {
    /// `{"type": "...", "data": {...}, "timestamp": ms[, "message_id": "..."]}`
    public static func item(_ item: InboxItem) -> String {
        let data: String
        switch item.body {
        case .message(let record, let clientID):
            data = splice(record.jsonText, extra: itemExtras(seq: item.seq, clientID: clientID))
        case .recall(let recall):
            data = splice(JSONCodec.encodeString(recall), extra: itemExtras(seq: item.seq, clientID: nil))
        case .other(_, let json):
            data = splice(json, extra: itemExtras(seq: item.seq, clientID: nil))
        }
        return envelope(type: item.body.type, data: data, timestamp: item.timestamp, messageID: item.messageID)
    }

    /// `ack` to a request: `data` is the result object plus `ref`.
    public static func ack<R: Encodable>(ref: String, result: R) -> String {
        let json = (result as? SendResult)?.jsonText ?? JSONCodec.encodeString(result)
        let data = splice(json, extra: "\"ref\":" + quoted(ref))
        return envelope(type: "ack", data: data, timestamp: nowMillis(), messageID: nil)
    }

    /// `ack` whose result object is already JSON (e.g. `sync_offline`, which embeds item frames).
    public static func ack(ref: String, resultJSON: String) -> String {
        envelope(type: "ack", data: splice(resultJSON, extra: "\"ref\":" + quoted(ref)), timestamp: nowMillis(), messageID: nil)
    }

    public static func ack(ref: String) -> String {
        envelope(type: "ack", data: "{\"ref\":" + quoted(ref) + "}", timestamp: nowMillis(), messageID: nil)
    }

    /// `error`: with `ref` when the request had a usable id, without otherwise.
    public static func error(_ error: RoostError, ref: String?) -> String {
        var data = "{"
        if let ref { data += "\"ref\":" + quoted(ref) + "," }
        data += "\"code\":" + quoted(error.code.rawValue) + ",\"message\":" + quoted(error.message) + "}"
        return envelope(type: "error", data: data, timestamp: nowMillis(), messageID: nil)
    }

    /// An ephemeral frame (no seq): `welcome`, `typing`, `presence`, `kicked`.
    public static func event<D: Encodable>(type: String, data: D) -> String {
        envelope(type: type, data: JSONCodec.encodeString(data), timestamp: nowMillis(), messageID: nil)
    }

    static func itemExtras(seq: Int64, clientID: String?) -> String {
        var extra = "\"seq\":\(seq)"
        if let clientID { extra += ",\"client_id\":" + quoted(clientID) }
        return extra
    }

    static func envelope(type: String, data: String, timestamp: Int64, messageID: String?) -> String {
        var out = "{\"type\":" + quoted(type) + ",\"data\":" + data + ",\"timestamp\":\(timestamp)"
        if let messageID { out += ",\"message_id\":" + quoted(messageID) }
        out += "}"
        return out
    }

    /// Adds members to an encoded JSON object: `{...}` + `a:1` -> `{...,a:1}`.
    static func splice(_ object: String, extra: String) -> String {
        precondition(object.last == "}", "not a JSON object")
        var out = object
        out.removeLast()
        if out != "{" { out += "," }
        return out + extra + "}"
    }

    static func quoted(_ string: String) -> String {
        JSONText.quoted(string)
    }
}

/// Milliseconds since 1970 from the wall clock: the one clock of the protocol.
public func nowMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
