import GRDB
import RoostProtocol

/// Idempotency of sends: one `sends` row per (user, device, request id),
/// read before a send writes anything and written with its message.
extension SQLiteStore {
    /// What an earlier send with the same request id was acked with, if any.
    static func sentBefore(db: Database, user: Int64, device: String, clientID: String) throws -> SendResult? {
        let lookup = try BoundStatement(db, """
            SELECT message_id, seq, timestamp FROM sends WHERE user_id = ? AND device = ? AND client_id = ?
            """)
        lookup.bind(1, user)
        lookup.bind(2, device)
        lookup.bind(3, clientID)
        return try lookup.first { column in
            SendResult(messageID: String(column(0)), seq: column(1), timestamp: column(2))
        }
    }

    static func recordSend(db: Database, user: Int64, device: String, clientID: String, result: SendResult,
                           messageID: Int64) throws {
        let insert = try BoundStatement(db, """
            INSERT INTO sends (user_id, device, client_id, message_id, seq, timestamp) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, user)
        insert.bind(2, device)
        insert.bind(3, clientID)
        insert.bind(4, messageID)
        insert.bind(5, result.seq)
        insert.bind(6, result.timestamp)
        try insert.execute()
    }

    /// Inserts a message row (a 1:1 message has `recipient`, a group message `group`).
    static func insertMessage(db: Database, id: Int64, sender: Int64, recipient: Int64?, group: Int64?,
                              conversationKey: String, clientID: String, contentJSON: String, now: Int64) throws {
        let insert = try BoundStatement(db, """
            INSERT INTO messages (id, sender_id, recipient_id, group_id, conv_key, client_id, content, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, id)
        insert.bind(2, sender)
        insert.bind(3, recipient)
        insert.bind(4, group)
        insert.bind(5, conversationKey)
        insert.bind(6, clientID)
        insert.bind(7, contentJSON)
        insert.bind(8, now)
        try insert.execute()
    }
}
