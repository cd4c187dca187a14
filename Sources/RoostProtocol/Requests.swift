/// `data` of each request type of PROTOCOL.md 5. Unknown fields are ignored.

public struct LoginRequest: Decodable, Sendable {
    public var token: String
    public var device: String?
    public var since: Int64?
}

public struct SendMessageRequest: Decodable, Sendable {
    public var to: String?
    public var groupID: String?
    public var content: MessageContent

    enum CodingKeys: String, CodingKey {
        case to, content
        case groupID = "group_id"
    }
}

public struct SyncRequest: Decodable, Sendable {
    public var since: Int64?
    public var limit: Int?
}

/// A client's cumulative `ack` (`data.seq`); never answered.
public struct AckRequest: Decodable, Sendable {
    public var seq: Int64
}

public struct HistoryRequest: Decodable, Sendable {
    public var conversation: String
    public var before: String?
    public var limit: Int?
}

public struct ReadRequest: Decodable, Sendable {
    public var conversation: String
    public var upTo: String

    enum CodingKeys: String, CodingKey {
        case conversation
        case upTo = "up_to"
    }
}

public struct RecallRequest: Decodable, Sendable {
    public var messageID: String

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
    }
}

public struct GroupRequest: Decodable, Sendable {
    public var groupID: String

    enum CodingKeys: String, CodingKey {
        case groupID = "group_id"
    }
}

public struct TypingRequest: Decodable, Sendable {
    public var to: String?
    public var groupID: String?

    enum CodingKeys: String, CodingKey {
        case to
        case groupID = "group_id"
    }
}

/// An empty `data` object, for requests that take nothing.
public struct EmptyRequest: Decodable, Sendable {}

/// `edit` (PROTOCOL.md 9): the whole new content of one's own message.
public struct EditRequest: Decodable, Sendable {
    public var messageID: String
    public var content: MessageContent

    enum CodingKeys: String, CodingKey {
        case content
        case messageID = "message_id"
    }
}

/// `react` (PROTOCOL.md 9): add, or with `remove`, take back one emoji.
public struct ReactRequest: Decodable, Sendable {
    public var messageID: String
    public var emoji: String
    public var remove: Bool?

    enum CodingKeys: String, CodingKey {
        case emoji, remove
        case messageID = "message_id"
    }
}
