import GRDB
import RoostProtocol

/// What a message's content adds beside its row: the full-text entry of its
/// text and one `mentions` row per mentioned participant. Every write that
/// creates, replaces or erases content calls these in its own transaction.
extension SQLiteStore {
    /// Checks `reply_to` (a message of the same conversation, else `not_found`)
    /// and `mentions` (participants only, else `bad_request`); returns the
    /// content with mentions de-duplicated.
    static func checkReferences(db: Database, content: MessageContent, conversationKey key: String,
                                participants: Set<Int64>) throws -> MessageContent {
        var content = content
        if let reply = content.replyTo {
            guard let id = MessageRules.replyID(reply),
                  try String.fetchOne(db.cachedStatement(sql: "SELECT conv_key FROM messages WHERE id = ?"),
                                      arguments: [id]) == key else {
                throw RoostError.notFound("reply_to is not a message of this conversation")
            }
        }
        if let mentions = content.mentions {
            content.mentions = try MessageRules.checkedMentions(mentions, participants: participants)
        }
        return content
    }

    /// Records a message's mentions (the sender's own excluded). Its text
    /// reaches the search index after the commit (`SearchIndex`).
    static func indexContent(db: Database, messageID: Int64, sender: Int64, conversationKey key: String,
                             content: MessageContent) throws {
        for mention in content.mentions ?? [] {
            guard let user = Int64(mention), user != sender else { continue }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO mentions (user_id, conv_key, message_id) VALUES (?, ?, ?)")
                .execute(arguments: [user, key, messageID])
        }
    }

    /// Removes what `indexContent` added for the message's current content,
    /// and tells the search indexer that its text changes (`search_changes`;
    /// `appliedSearchChange`: the changes it applied, forgotten at the same time).
    static func unindexContent(db: Database, message: MessageRow, appliedSearchChange: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM search_changes WHERE seq <= ?").execute(arguments: [appliedSearchChange])
        try db.cachedStatement(sql: "INSERT INTO search_changes (message_id) VALUES (?)").execute(arguments: [message.id])
        guard !message.recalled, let content = message.decodedContent else { return }
        for mention in content.mentions ?? [] {
            guard let user = Int64(mention) else { continue }
            try db.cachedStatement(sql: "DELETE FROM mentions WHERE user_id = ? AND conv_key = ? AND message_id = ?")
                .execute(arguments: [user, message.conversationKey, message.id])
        }
    }

    /// Who takes part in the message's conversation now: both sides of a 1:1
    /// conversation, the current members of a group.
    static func participants(db: Database, of message: MessageRow) throws -> [Int64] {
        if let group = message.group { return try groupMembers(db: db, group: group) }
        return message.directParticipants
    }

    /// `blocker` blocks `user`.
    static func blocks(db: Database, _ blocker: Int64, _ user: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM blocks WHERE user_id = ? AND blocked_id = ?"),
                          arguments: [blocker, user]) == true
    }

    static func fetchMessage(db: Database, id: Int64) throws -> MessageRow? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(messageColumns) FROM messages WHERE id = ?"), arguments: [id])
            .map(messageRow)
    }
}
