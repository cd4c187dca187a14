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

    /// Records a message's mentions (the sender's own excluded) and indexes
    /// its text. A new message's text is left to `indexDeferredTexts`
    /// (`deferText`); so is the text of an edited message not indexed yet.
    static func indexContent(db: Database, messageID: Int64, sender: Int64, conversationKey key: String,
                             content: MessageContent, deferText: Bool) throws {
        if let text = content.text, !deferText, try messageID <= searchIndexedUpTo(db: db) {
            let insert = try BoundStatement(db, "INSERT INTO message_search (rowid, text) VALUES (?, ?)")
            insert.bind(1, messageID)
            insert.bind(2, text)
            try insert.execute()
        }
        for mention in content.mentions ?? [] {
            guard let user = Int64(mention), user != sender else { continue }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO mentions (user_id, conv_key, message_id) VALUES (?, ?, ?)")
                .execute(arguments: [user, key, messageID])
        }
    }

    /// Removes what `indexContent` added for the message's current content
    /// (an external-content FTS5 index must be told the old text to delete it;
    /// a text not indexed yet has nothing to delete).
    static func unindexContent(db: Database, message: MessageRow) throws {
        guard !message.recalled, let content = message.decodedContent else { return }
        if let text = content.text, try message.id <= searchIndexedUpTo(db: db) {
            try db.cachedStatement(sql: "INSERT INTO message_search (message_search, rowid, text) VALUES ('delete', ?, ?)")
                .execute(arguments: [message.id, text])
        }
        for mention in content.mentions ?? [] {
            guard let user = Int64(mention) else { continue }
            try db.cachedStatement(sql: "DELETE FROM mentions WHERE user_id = ? AND conv_key = ? AND message_id = ?")
                .execute(arguments: [user, message.conversationKey, message.id])
        }
    }

    /// Messages with ids up to here have their text in the full-text index.
    static func searchIndexedUpTo(db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'search_indexed_up_to'")) ?? 0
    }

    /// Indexes the text of the messages committed since the last call, as
    /// it is now (an edit already applied; a recalled message has none), in
    /// one FTS5 insert: one segment for many messages instead of one per
    /// batch. `limit` bounds the messages taken at once (oldest first), so
    /// that a backlog is indexed over several transactions instead of
    /// holding one of them up.
    @discardableResult
    static func indexDeferredTexts(db: Database, limit: Int? = nil) throws -> DeferredIndexing {
        let from = try searchIndexedUpTo(db: db)
        var to: Int64?
        var caughtUp = true
        if let limit, let end = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?"),
            arguments: [from, max(limit, 1) - 1]) {
            to = end
            caughtUp = false
        } else {
            to = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM messages"))
        }
        guard let to, to > from else { return DeferredIndexing(indexed: 0, caughtUp: true) }
        try db.cachedStatement(sql: """
            INSERT INTO message_search (rowid, text)
            SELECT id, text FROM message_texts WHERE id > ? AND id <= ? AND text IS NOT NULL
            """).execute(arguments: [from, to])
        let indexed = db.changesCount
        try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'search_indexed_up_to'").execute(arguments: [to])
        return DeferredIndexing(indexed: indexed, caughtUp: caughtUp)
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
