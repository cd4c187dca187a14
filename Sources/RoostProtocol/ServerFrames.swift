import Foundation

/// Renders server frames. Items, acks, errors and ephemeral frames all leave
/// the server through here, so the envelope is written in exactly one way
/// (`FrameJSON`).
public enum ServerFrame {
    /// `{"type": "...", "data": {...}, "timestamp": ms[, "message_id": "..."]}`
    public static func item(_ item: InboxItem) -> String {
        let (data, clientID) = item.body.frameData
        return String(json: FrameJSON(type: item.body.type, data: data, seq: item.seq, clientID: clientID,
                                      timestamp: item.timestamp, messageID: item.messageID))
    }

    /// `ack` to a request: `data` is the result object plus `ref`.
    public static func ack<R: Encodable>(ref: String, result: R) -> String {
        ack(ref: ref, resultJSON: objectJSON(result))
    }

    /// The ack of every `send_message`: no dynamic cast to find its JSON.
    public static func ack(ref: String, result: SendResult) -> String {
        String(json: FrameJSON(type: "ack", data: .sendResult(result), ref: ref, timestamp: nowMillis()))
    }

    /// `ack` whose result object is already JSON (e.g. `sync_offline`, which embeds item frames).
    public static func ack(ref: String, resultJSON: String) -> String {
        String(json: FrameJSON(type: "ack", data: .object(resultJSON), ref: ref, timestamp: nowMillis()))
    }

    public static func ack(ref: String) -> String {
        ack(ref: ref, resultJSON: "{}")
    }

    /// `error`: with `ref` when the request had a usable id, without otherwise.
    public static func error(_ error: RoostError, ref: String?) -> String {
        var data = "{"
        if let ref { data += "\"ref\":" + quoted(ref) + "," }
        data += "\"code\":" + quoted(error.code.rawValue) + ",\"message\":" + quoted(error.message) + "}"
        return String(json: FrameJSON(type: "error", data: .object(data), timestamp: nowMillis()))
    }

    /// An ephemeral frame (no seq): `welcome`, `typing`, `presence`, `kicked`.
    public static func event<D: Encodable>(type: String, data: D) -> String {
        String(json: FrameJSON(type: type, data: .object(objectJSON(data)), timestamp: nowMillis()))
    }

    /// A frame's `data` object: written by hand where the type has that path
    /// (`JSONWritable`), else through `JSONCodec`; the same bytes either way.
    private static func objectJSON<T: Encodable>(_ value: T) -> String {
        (value as? any JSONWritable).map { String(json: $0) } ?? JSONCodec.encodeString(value)
    }

    static func quoted(_ string: String) -> String {
        JSONText.quoted(string)
    }
}

/// A frame: `{"type":..,"data":{..},"timestamp":..[,"message_id":..]}`,
/// written in one pass into one string (`String(json:)`). `data` gets the
/// frame's own members at its end: an ack's `ref`, an item's `seq` and
/// `client_id`.
struct FrameJSON: JSONWritable {
    enum Data {
        /// An object as JSON text.
        case object(String)
        case record(MessageRecord)
        case sendResult(SendResult)
    }

    let type: String
    let data: Data
    let ref: String?
    let seq: Int64?
    let clientID: String?
    let timestamp: Int64
    let messageID: String?

    init(type: String, data: Data, ref: String? = nil, seq: Int64? = nil, clientID: String? = nil,
         timestamp: Int64, messageID: String? = nil) {
        self.type = type
        self.data = data
        self.ref = ref
        self.seq = seq
        self.clientID = clientID
        self.timestamp = timestamp
        self.messageID = messageID
    }

    func writeJSON<Output: JSONOutput>(to out: inout Output) {
        out.write("{\"type\":")
        out.writeQuoted(type)
        out.write(",\"data\":")
        writeData(to: &out)
        out.write(",\"timestamp\":")
        out.write(timestamp)
        if let messageID {
            out.write(",\"message_id\":")
            out.writeQuoted(messageID)
        }
        out.write(byte: UInt8(ascii: "}"))
    }

    private func writeData<Output: JSONOutput>(to out: inout Output) {
        let ownMembers = ref != nil || seq != nil || clientID != nil
        var members: JSONMembers
        switch data {
        case .object(let json) where !ownMembers:
            out.write(json)
            return
        case .object(let json):
            precondition(json.utf8.first == UInt8(ascii: "{") && json.utf8.last == UInt8(ascii: "}"),
                         "not a JSON object")
            out.write(json, dropLast: 1)
            members = JSONMembers(continuing: json.utf8.count > 2)
        case .record(let record):
            out.write(byte: UInt8(ascii: "{"))
            members = JSONMembers()
            record.writeMembers(&members, to: &out)
        case .sendResult(let result):
            out.write(byte: UInt8(ascii: "{"))
            members = JSONMembers()
            result.writeMembers(&members, to: &out)
        }
        members.string("ref", ref, to: &out)
        members.int("seq", seq, to: &out)
        members.string("client_id", clientID, to: &out)
        out.write(byte: UInt8(ascii: "}"))
    }
}

/// The data object on its own (what a shared renderer splices each `seq` into).
extension FrameJSON.Data: JSONWritable {
    func writeJSON<Output: JSONOutput>(to out: inout Output) {
        switch self {
        case .object(let json): out.write(json)
        case .record(let record): record.writeJSON(to: &out)
        case .sendResult(let result): result.writeJSON(to: &out)
        }
    }
}

extension ItemBody {
    /// An item frame's `data` before its `seq`, and the `client_id` it adds
    /// (a message's: the sender's request id).
    var frameData: (data: FrameJSON.Data, clientID: String?) {
        switch self {
        case .message(let record, let clientID): (.record(record), clientID)
        case .recall(let recall): (.object(JSONCodec.encodeString(recall)), nil)
        case .other(_, let json): (.object(json), nil)
        }
    }
}

/// Milliseconds since 1970 from the wall clock: the one clock of the protocol.
public func nowMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}
