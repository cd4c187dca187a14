import Foundation
import PostgresNIO
import RoostProtocol
import RoostStorage

/// What a message's content adds beside its row: its mentions (search is a
/// generated column of the row), and the checks of what it refers to. Every
/// write that creates, replaces or erases content calls these in its own
/// transaction.
extension PostgresStore {
    /// Checks `reply_to` (a message of the same conversation, else `not_found`)
    /// and `mentions` (participants only, else `bad_request`); returns the
    /// content with mentions de-duplicated.
    static func checkReferences(db: Database, content: MessageContent, conversationKey key: String,
                                participants: Set<Int64>) async throws -> MessageContent {
        var content = content
        if let reply = content.replyTo {
            guard let id = MessageRules.replyID(reply),
                  try await db.value("SELECT conv_key FROM messages WHERE id = \(id)", as: String.self) == key else {
                throw RoostError.notFound("reply_to is not a message of this conversation")
            }
        }
        if let mentions = content.mentions {
            content.mentions = try MessageRules.checkedMentions(mentions, participants: participants)
        }
        return content
    }

    /// Records the message's mentions (the sender's own excluded).
    static func indexMentions(db: Database, messageID: Int64, sender: Int64, conversationKey key: String,
                              content: MessageContent) async throws {
        let users = (content.mentions ?? []).compactMap(Int64.init).filter { $0 != sender }
        guard !users.isEmpty else { return }
        try await db.run("""
            INSERT INTO mentions (user_id, conv_key, message_id)
            SELECT u, \(key), \(messageID) FROM unnest(\(users)::bigint[]) AS u ON CONFLICT DO NOTHING
            """)
    }

    /// Removes the mentions of the message's current content.
    static func unindexMentions(db: Database, message: MessageRow) async throws {
        try await db.run("DELETE FROM mentions WHERE conv_key = \(message.conversationKey) AND message_id = \(message.id)")
    }

    /// Who takes part in the message's conversation now: both sides of a 1:1
    /// conversation, the current members of a group.
    static func participants(db: Database, of message: MessageRow) async throws -> [Int64] {
        if let group = message.group { return try await groupMembers(db: db, group: group) }
        return message.directParticipants
    }

    /// `blocker` blocks `user`.
    static func blocks(db: Database, _ blocker: Int64, _ user: Int64) async throws -> Bool {
        try await db.exists("SELECT 1 FROM blocks WHERE user_id = \(blocker) AND blocked_id = \(user)")
    }

    /// The idempotency record of a send, if this (user, device, request id) was committed.
    static func existingSend(db: Database, user: Int64, device: String, clientID: String) async throws -> SendResult? {
        guard let row = try await db.rows("""
            SELECT message_id, seq, timestamp FROM sends
            WHERE user_id = \(user) AND device = \(device) AND client_id = \(clientID)
            """).first else { return nil }
        let (id, seq, timestamp) = try row.decode((Int64, Int64, Int64).self)
        return SendResult(messageID: String(id), seq: seq, timestamp: timestamp)
    }

    static func recordSend(db: Database, user: Int64, device: String, clientID: String, result: SendResult,
                           messageID: Int64) async throws {
        try await db.run("""
            INSERT INTO sends (user_id, device, client_id, message_id, seq, timestamp)
            VALUES (\(user), \(device), \(clientID), \(messageID), \(result.seq), \(result.timestamp))
            """)
    }

    static func insertMessage(db: Database, id: Int64, sender: Int64, recipient: Int64?, group: Int64?, key: String,
                              clientID: String, content: MessageContent, now: Int64) async throws {
        let searchText = searchable(content.text)
        try await db.run("""
            INSERT INTO messages (id, sender_id, recipient_id, group_id, conv_key, client_id, content, search_text, created_at)
            VALUES (\(id), \(sender), \(recipient), \(group), \(key), \(clientID), \(content.jsonText), \(searchText),
                    \(now))
            """)
    }

    /// Text as the search index holds it and queries are matched: lower case,
    /// diacritics removed (`café` finds `cafe`), as SQLite's `unicode61
    /// remove_diacritics 2` tokenizer does. PostgreSQL's `unaccent` would need
    /// an extension; folding here needs nothing from the server.
    static func searchable(_ text: String?) -> String? {
        text?.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
