/// What a message says: text and/or a file reference (PROTOCOL.md 4), and
/// optionally the message it answers and the participants it mentions (9).
public struct MessageContent: Codable, Sendable, Equatable {
    public var text: String?
    public var fileID: String?
    public var name: String?
    public var mime: String?
    public var size: Int64?
    public var width: Int?
    public var height: Int?
    /// A message id of the same conversation.
    public var replyTo: String?
    /// User ids of the conversation's participants.
    public var mentions: [String]?

    public init(text: String? = nil, fileID: String? = nil, name: String? = nil, mime: String? = nil,
                size: Int64? = nil, width: Int? = nil, height: Int? = nil, replyTo: String? = nil,
                mentions: [String]? = nil) {
        self.text = text
        self.fileID = fileID
        self.name = name
        self.mime = mime
        self.size = size
        self.width = width
        self.height = height
        self.replyTo = replyTo
        self.mentions = mentions
    }

    enum CodingKeys: String, CodingKey {
        case text, name, mime, size, width, height, mentions
        case fileID = "file_id"
        case replyTo = "reply_to"
    }
}

/// A message as every reader sees it. The `conversation` is the holder's view
/// (`u:<peer>` or `g:<group>`), so a record is always built for one reader.
public struct MessageRecord: Codable, Sendable, Equatable {
    public var messageID: String
    public var conversation: String
    public var from: String
    public var to: String?
    public var groupID: String?
    public var content: MessageContent?
    public var timestamp: Int64
    public var recalled: Bool?
    /// When the content was last replaced by an `edit` (ms); absent if never.
    public var editedAt: Int64?
    /// emoji -> user ids who reacted with it, in reaction order; absent when none.
    public var reactions: [String: [String]]?

    public init(messageID: String, conversation: String, from: String, to: String? = nil, groupID: String? = nil,
                content: MessageContent?, timestamp: Int64, recalled: Bool? = nil, editedAt: Int64? = nil,
                reactions: [String: [String]]? = nil) {
        self.messageID = messageID
        self.conversation = conversation
        self.from = from
        self.to = to
        self.groupID = groupID
        self.content = content
        self.timestamp = timestamp
        self.recalled = recalled
        self.editedAt = editedAt
        self.reactions = reactions
    }

    enum CodingKeys: String, CodingKey {
        case from, to, content, timestamp, recalled, conversation, reactions
        case messageID = "message_id"
        case groupID = "group_id"
        case editedAt = "edited_at"
    }
}
