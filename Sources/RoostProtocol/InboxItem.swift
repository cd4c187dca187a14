/// One entry of a user's inbox: everything that user's devices must eventually see.
///
/// The item is the unit of sync: it has the user's `seq`, it is committed before
/// it is pushed, and `ItemFrame` is the one place that turns it into a frame.
public struct InboxItem: Sendable, Equatable {
    public let seq: Int64
    /// Commit time, ms since 1970.
    public let timestamp: Int64
    public let body: ItemBody

    public init(seq: Int64, timestamp: Int64, body: ItemBody) {
        self.seq = seq
        self.timestamp = timestamp
        self.body = body
    }

    /// The envelope's `message_id`: the id of what the item carries, if anything.
    public var messageID: String? { body.messageID }
}

/// The item kinds of PROTOCOL.md 4. Kinds other than `message` and `recall` carry
/// their payload as an opaque JSON object so new kinds need no storage change.
public enum ItemBody: Sendable, Equatable {
    case message(MessageRecord, clientID: String?)
    case recall(RecallItem)
    /// `type` and its `data` object (JSON, without `seq`).
    case other(type: String, json: String)

    /// The id of what the body carries, if anything.
    public var messageID: String? {
        switch self {
        case .message(let record, _): record.messageID
        case .recall(let recall): recall.messageID
        case .other: nil
        }
    }

    public var type: String {
        switch self {
        case .message: "message"
        case .recall: "recall"
        case .other(let type, _): type
        }
    }
}

public struct RecallItem: Codable, Sendable, Equatable {
    public var conversation: String
    public var messageID: String
    public var by: String

    public init(conversation: String, messageID: String, by: String) {
        self.conversation = conversation
        self.messageID = messageID
        self.by = by
    }

    enum CodingKeys: String, CodingKey {
        case conversation, by
        case messageID = "message_id"
    }
}
