/// Results and item payloads of history, conversations, read and files
/// (PROTOCOL.md 4, 5 and 8).

/// `history` ack result and `GET /api/messages` body.
public struct HistoryResult: Codable, Sendable, Equatable {
    public var messages: [MessageRecord]
    public var hasMore: Bool

    public init(messages: [MessageRecord], hasMore: Bool) {
        self.messages = messages
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case messages
        case hasMore = "has_more"
    }
}

/// One entry of `GET /api/conversations`. `last_message` is written as `null`
/// when there is none (a group without messages), never left out.
public struct ConversationEntry: Codable, Sendable, Equatable {
    public var conversation: String
    public var lastMessage: MessageRecord?
    public var unread: Int
    /// Unread messages that mention me (PROTOCOL.md 9).
    public var mentions: Int
    public var updatedAt: Int64

    public init(conversation: String, lastMessage: MessageRecord?, unread: Int, mentions: Int = 0, updatedAt: Int64) {
        self.conversation = conversation
        self.lastMessage = lastMessage
        self.unread = unread
        self.mentions = mentions
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case conversation, unread, mentions
        case lastMessage = "last_message"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(conversation, forKey: .conversation)
        try c.encode(lastMessage, forKey: .lastMessage)
        try c.encode(unread, forKey: .unread)
        try c.encode(mentions, forKey: .mentions)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

public struct ConversationList: Codable, Sendable {
    public var conversations: [ConversationEntry]
    public init(conversations: [ConversationEntry]) { self.conversations = conversations }
}

/// `read` item data (without `seq`).
public struct ReadItem: Codable, Sendable, Equatable {
    public var conversation: String
    public var reader: String
    public var upTo: String

    public init(conversation: String, reader: String, upTo: String) {
        self.conversation = conversation
        self.reader = reader
        self.upTo = upTo
    }

    enum CodingKeys: String, CodingKey {
        case conversation, reader
        case upTo = "up_to"
    }
}

/// `POST /api/files` result.
public struct FileInfo: Codable, Sendable, Equatable {
    public var fileID: String
    public var size: Int64
    public var mime: String
    public var name: String
    public var sha256: String
    public var width: Int?
    public var height: Int?

    public init(fileID: String, size: Int64, mime: String, name: String, sha256: String, width: Int?, height: Int?) {
        self.fileID = fileID
        self.size = size
        self.mime = mime
        self.name = name
        self.sha256 = sha256
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case size, mime, name, sha256, width, height
        case fileID = "file_id"
    }
}
