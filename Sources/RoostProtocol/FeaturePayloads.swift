/// Item payloads and HTTP bodies of PROTOCOL.md 9 (edits, reactions, search, blocks).

/// `edit` item data (without `seq`). Storage keeps it without `content`: the
/// content is the message's current one, joined when the item is served, so a
/// later recall erases it from old edit items too.
public struct EditItem: Codable, Sendable, Equatable {
    public var conversation: String
    public var messageID: String
    public var content: MessageContent?
    public var editedAt: Int64
    public var by: String

    public init(conversation: String, messageID: String, content: MessageContent?, editedAt: Int64, by: String) {
        self.conversation = conversation
        self.messageID = messageID
        self.content = content
        self.editedAt = editedAt
        self.by = by
    }

    enum CodingKeys: String, CodingKey {
        case conversation, content, by
        case messageID = "message_id"
        case editedAt = "edited_at"
    }

    /// This item as JSON (sorted keys), with `content` when given.
    public var jsonText: String { String(json: self) }
}

extension EditItem: JSONObjectMembers {
    func writeMembers<Output: JSONOutput>(_ m: inout JSONMembers, to out: inout Output) {
        m.string("by", by, to: &out)
        m.value("content", content, to: &out)
        m.string("conversation", conversation, to: &out)
        m.int("edited_at", editedAt, to: &out)
        m.string("message_id", messageID, to: &out)
    }
}

/// `reaction` item data (without `seq`).
public struct ReactionItem: Codable, Sendable, Equatable {
    public var conversation: String
    public var messageID: String
    public var emoji: String
    public var userID: String
    public var removed: Bool

    public init(conversation: String, messageID: String, emoji: String, userID: String, removed: Bool) {
        self.conversation = conversation
        self.messageID = messageID
        self.emoji = emoji
        self.userID = userID
        self.removed = removed
    }

    enum CodingKeys: String, CodingKey {
        case conversation, emoji, removed
        case messageID = "message_id"
        case userID = "user_id"
    }
}

/// The `edit` ack result.
public struct EditResult: Codable, Sendable, Equatable {
    public var seq: Int64
    public var editedAt: Int64

    public init(seq: Int64, editedAt: Int64) {
        self.seq = seq
        self.editedAt = editedAt
    }

    enum CodingKeys: String, CodingKey {
        case seq
        case editedAt = "edited_at"
    }
}

/// One `GET /api/search` hit: the record as the searcher sees it, plus a
/// plain-text excerpt around the match.
public struct SearchHit: Sendable, Equatable, Encodable {
    public var record: MessageRecord
    public var snippet: String

    public init(record: MessageRecord, snippet: String) {
        self.record = record
        self.snippet = snippet
    }

    enum CodingKeys: String, CodingKey { case snippet }

    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(snippet, forKey: .snippet)
    }
}

public struct SearchResult: Encodable, Sendable {
    public var messages: [SearchHit]
    public init(messages: [SearchHit]) { self.messages = messages }
}

/// `GET /api/blocks` body.
public struct BlockList: Codable, Sendable {
    public var userIDs: [String]
    public init(userIDs: [String]) { self.userIDs = userIDs }
    enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }
}
