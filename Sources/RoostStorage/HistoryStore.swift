import RoostProtocol

/// History, conversations, read positions and recall (issue: history and features).
public protocol HistoryStore: Sendable {
    /// Messages of `conversation` as `user` sees it, newest first, ids below
    /// `before`. `not_found` for an unknown peer, `forbidden` for a group `user`
    /// is not in.
    func history(user: Int64, conversation: Conversation, before: Int64?, limit: Int) async throws -> HistoryResult
    /// 1:1 conversations with a message and the user's groups, most recent first.
    func conversations(user: Int64, limit: Int) async throws -> [ConversationEntry]
    /// Moves the read position forward and adds `read` items (to the reader and
    /// the peer, or to group members when the group has at most `groupFanOutCap`).
    func markRead(user: Int64, conversation: Conversation, upTo: Int64, groupFanOutCap: Int) async throws -> StateChange
    /// Erases a message's content and adds a `recall` item for every participant.
    /// `windowMillis` bounds how old the sender's own message may be.
    func recall(user: Int64, messageID: Int64, windowMillis: Int64) async throws -> StateChange
}

/// What a state-changing request committed.
public struct StateChange: Sendable {
    /// The requester's own new item (the ack's `seq`), nil when nothing changed.
    public let seq: Int64?
    /// Items committed, the requester's own included.
    public let deliveries: [Delivery]

    public init(seq: Int64?, deliveries: [Delivery]) {
        self.seq = seq
        self.deliveries = deliveries
    }

    public static let unchanged = StateChange(seq: nil, deliveries: [])
}
