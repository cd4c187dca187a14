/// What a message says: text and/or a file reference (PROTOCOL.md 4).
public struct MessageContent: Codable, Sendable, Equatable {
    public var text: String?
    public var fileID: String?
    public var name: String?
    public var mime: String?
    public var size: Int64?
    public var width: Int?
    public var height: Int?

    public init(text: String? = nil, fileID: String? = nil, name: String? = nil, mime: String? = nil,
                size: Int64? = nil, width: Int? = nil, height: Int? = nil) {
        self.text = text
        self.fileID = fileID
        self.name = name
        self.mime = mime
        self.size = size
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case text, name, mime, size, width, height
        case fileID = "file_id"
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

    public init(messageID: String, conversation: String, from: String, to: String? = nil, groupID: String? = nil,
                content: MessageContent?, timestamp: Int64, recalled: Bool? = nil) {
        self.messageID = messageID
        self.conversation = conversation
        self.from = from
        self.to = to
        self.groupID = groupID
        self.content = content
        self.timestamp = timestamp
        self.recalled = recalled
    }

    enum CodingKeys: String, CodingKey {
        case from, to, content, timestamp, recalled, conversation
        case messageID = "message_id"
        case groupID = "group_id"
    }
}
