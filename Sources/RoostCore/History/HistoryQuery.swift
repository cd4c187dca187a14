import RoostProtocol

/// The parameter rules of `history` and `GET /api/messages` (PROTOCOL.md 5),
/// in one place so the frame and the route cannot drift apart.
public struct HistoryQuery: Sendable {
    public static let defaultLimit = 50
    public static let maxLimit = 200

    public let conversation: Conversation
    public let before: Int64?
    public let limit: Int

    public init(conversation: String, before: String?, limit: Int?) throws(RoostError) {
        guard let parsed = Conversation(conversation) else {
            throw .badRequest("conversation must be u:<user_id> or g:<group_id>")
        }
        let limit = limit ?? Self.defaultLimit
        guard limit >= 1 else { throw .badRequest("limit must be at least 1") }
        var cursor: Int64?
        if let before {
            guard let id = Int64(before), id > 0 else { throw .badRequest("before must be a message id") }
            cursor = id
        }
        self.conversation = parsed
        self.before = cursor
        self.limit = min(limit, Self.maxLimit)
    }

    /// From HTTP query strings: a non-integer `limit` is `bad_request` too.
    public init(conversation: String?, before: String?, limitText: String?) throws(RoostError) {
        guard let conversation else { throw .badRequest("conversation is required") }
        var limit: Int?
        if let limitText {
            guard let value = Int(limitText) else { throw .badRequest("limit must be an integer") }
            limit = value
        }
        try self.init(conversation: conversation, before: before, limit: limit)
    }
}

/// `limit` of `GET /api/conversations`: default 100, at least 1.
public enum ConversationListQuery {
    public static let defaultLimit = 100
    public static let maxLimit = 1_000

    public static func limit(_ text: String?) throws(RoostError) -> Int {
        guard let text else { return defaultLimit }
        guard let value = Int(text), value >= 1 else { throw .badRequest("limit must be an integer of at least 1") }
        return min(value, maxLimit)
    }
}
