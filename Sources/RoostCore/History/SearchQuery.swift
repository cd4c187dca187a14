import RoostProtocol

/// The parameter rules of `GET /api/search` (PROTOCOL.md 9).
public struct SearchQuery: Sendable {
    public static let defaultLimit = 20
    public static let maxLimit = 100
    /// Longer queries are refused rather than handed to the full-text engine.
    public static let maxQueryBytes = 512

    public let text: String
    public let conversation: Conversation?
    public let limit: Int

    public init(q: String?, conversation: String?, limitText: String?) throws(RoostError) {
        guard let q, !q.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .badRequest("q is required")
        }
        guard q.utf8.count <= Self.maxQueryBytes else { throw .badRequest("q is longer than \(Self.maxQueryBytes) bytes") }
        if let conversation {
            guard let parsed = Conversation(conversation) else {
                throw .badRequest("conversation must be u:<user_id> or g:<group_id>")
            }
            self.conversation = parsed
        } else {
            self.conversation = nil
        }
        var limit = Self.defaultLimit
        if let limitText {
            guard let value = Int(limitText), value >= 1 else { throw .badRequest("limit must be an integer of at least 1") }
            limit = min(value, Self.maxLimit)
        }
        self.text = q
        self.limit = limit
    }
}
