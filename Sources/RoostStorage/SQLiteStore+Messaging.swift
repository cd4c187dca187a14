import GRDB
import RoostProtocol

extension SQLiteStore {
    nonisolated(nonsending) public func sendDirect(_ send: DirectSend) async throws -> SendOutcome {
        // Encoded outside the writer unless the transaction changes the content
        // (a file's metadata filled in, mentions de-duplicated).
        let plainJSON = send.content.fileID == nil && send.content.mentions == nil ? send.content.jsonText : nil
        return try await writer.write(validatedFirst: true) { [ids] db, batch in
            if let existing = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT message_id, seq, timestamp FROM sends WHERE user_id = ? AND device = ? AND client_id = ?
                """), arguments: [send.from, send.device, send.clientID]) {
                let result = SendResult(messageID: String(existing["message_id"] as Int64),
                                        seq: existing["seq"], timestamp: existing["timestamp"])
                return SendOutcome(result: result, duplicate: true, deliveries: [])
            }
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE id = ?"),
                                    arguments: [send.to]) == true else {
                throw RoostError.notFound("no such user")
            }
            if send.from != send.to, try Self.blocks(db: db, send.to, send.from) {
                throw RoostError.forbidden("this user does not accept your messages")
            }
            let key = Self.directKey(send.from, send.to)
            var content = send.content
            if content.replyTo != nil || content.mentions != nil {
                content = try Self.checkReferences(db: db, content: content, conversationKey: key,
                                                   participants: [send.from, send.to])
            }
            // The last check, and the first write (the file's share row): nothing
            // below refuses the send (the writer runs it without a savepoint).
            content = try Self.attachFile(db: db, content: content, sender: send.from, conversationKey: key)
            let contentJSON = plainJSON ?? content.jsonText
            let now = nowMillis()
            let id = ids.next(now: now)
            try db.cachedStatement(sql: """
                INSERT INTO messages (id, sender_id, recipient_id, group_id, conv_key, client_id, content, created_at)
                VALUES (?, ?, ?, NULL, ?, ?, ?, ?)
                """).execute(arguments: [id, send.from, send.to, key, send.clientID, contentJSON, now])
            try Self.indexContent(db: db, messageID: id, sender: send.from, conversationKey: key, content: content)
            let firstContact = try Self.touchDirectConversation(db: db, from: send.from, to: send.to, messageID: id, now: now)
            let row = MessageRow(id: id, sender: send.from, recipient: send.to, group: nil, clientID: send.clientID,
                                 content: nil, recalled: false, createdAt: now)
            var deliveries: [Delivery] = []
            let recipients = send.from == send.to ? [send.to] : [send.to, send.from]
            var senderSeq: Int64 = 0
            for user in recipients {
                let seq = try Self.appendItem(db: db, batch: batch, user: user, type: "message", messageID: id,
                                              payload: nil, now: now)
                var record = row.record(for: user)
                record.content = content
                deliveries.append(Delivery(user: user, item: InboxItem(
                    seq: seq, timestamp: now, body: .message(record, clientID: send.clientID))))
                if user == send.from { senderSeq = seq }
            }
            let result = SendResult(messageID: String(id), seq: senderSeq, timestamp: now)
            try db.cachedStatement(sql: """
                INSERT INTO sends (user_id, device, client_id, message_id, seq, timestamp) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [send.from, send.device, send.clientID, id, senderSeq, now])
            return SendOutcome(result: result, duplicate: false, deliveries: deliveries,
                               firstContact: firstContact && send.from != send.to)
        }
    }
}
