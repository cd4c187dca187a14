import RoostProtocol

/// Edits, reactions, search, blocks and bans (PROTOCOL.md 9). Every change a
/// device must see is an inbox item committed in the same transaction, as for
/// messages; the rules that need the database (ownership, membership, blocks)
/// are checked inside that transaction.
public protocol FeatureStore: Sendable {
    /// Replaces the content of `edit.user`'s own message and adds an `edit` item
    /// for every participant.
    func edit(_ edit: MessageEdit) async throws -> EditOutcome
    /// Adds or removes one reaction; `.unchanged` when it was already so.
    func react(user: Int64, messageID: Int64, emoji: String, remove: Bool, maxPerUser: Int) async throws -> StateChange
    /// Ranked full-text matches among the live messages `user` may read now.
    /// A `conversation` the user cannot read is `forbidden`.
    func search(user: Int64, query: String, conversation: Conversation?, limit: Int) async throws -> [SearchHit]

    /// `user` blocks `target`: `not_found` if unknown, `bad_request` for oneself.
    func block(user: Int64, target: Int64) async throws
    func unblock(user: Int64, target: Int64) async throws
    func blockedUsers(of user: Int64) async throws -> [Int64]
    /// Whether either of the two blocks the other.
    func isBlockedEitherWay(_ a: Int64, _ b: Int64) async throws -> Bool

    /// Sets the ban flag; a ban also revokes every token. Nil for an unknown user.
    func setBanned(user: Int64, banned: Bool) async throws -> UserAccount?
}

/// A validated `edit` request.
public struct MessageEdit: Sendable {
    public let user: Int64
    public let messageID: Int64
    public let content: MessageContent
    /// How old a message may be and still be edited.
    public let windowMillis: Int64

    public init(user: Int64, messageID: Int64, content: MessageContent, windowMillis: Int64) {
        self.user = user
        self.messageID = messageID
        self.content = content
        self.windowMillis = windowMillis
    }
}

public struct EditOutcome: Sendable {
    public let change: StateChange
    public let editedAt: Int64

    public init(change: StateChange, editedAt: Int64) {
        self.change = change
        self.editedAt = editedAt
    }
}
