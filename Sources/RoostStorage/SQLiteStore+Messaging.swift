import GRDB
import RoostProtocol

extension SQLiteStore {
    nonisolated(nonsending) public func sendDirect(_ send: DirectSend) async throws -> SendOutcome {
        try await writer.writeSend(validatedFirst: true, directSend(send))
    }

    public func sendDirect(_ send: DirectSend, on queue: any CompletionQueue,
                           completion: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) {
        writer.submitSend(validatedFirst: true, directSend(send), on: queue, completion: completion)
    }

    /// The transaction of a 1:1 message; nothing in it refuses the send after its first write.
    private func directSend(_ send: DirectSend) -> @Sendable (Database, WriteBatch) throws -> SendOutcome {
        // Encoded outside the writer unless the transaction changes the content
        // (a file's metadata filled in, mentions de-duplicated).
        let plainJSON = send.content.fileID == nil && send.content.mentions == nil ? send.content.jsonText : nil
        return { [ids] db, batch in
            guard let check = try Self.checkDirectSend(db: db, send) else {
                // The recipient does not exist: still a duplicate if it was sent before (and the user left since).
                if let existing = try Self.sentBefore(db: db, user: send.from, device: send.device, clientID: send.clientID) {
                    return SendOutcome(result: existing, duplicate: true, deliveries: [])
                }
                throw RoostError.notFound("no such user")
            }
            if let existing = check.sentBefore {
                return SendOutcome(result: existing, duplicate: true, deliveries: [])
            }
            if send.from != send.to, check.blocked {
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
            try Self.insertMessage(db: db, id: id, sender: send.from, recipient: send.to, group: nil, conversationKey: key,
                                   clientID: send.clientID, contentJSON: contentJSON, now: now)
            try Self.indexContent(db: db, messageID: id, sender: send.from, conversationKey: key, content: content)
            let firstContact = !check.pairKnown
            if firstContact { try Self.recordDirectConversation(db: db, from: send.from, to: send.to) }
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
            try Self.recordSend(db: db, user: send.from, device: send.device, clientID: send.clientID, result: result,
                                messageID: id)
            return SendOutcome(result: result, duplicate: false, deliveries: deliveries,
                               firstContact: firstContact && send.from != send.to)
        }
    }

    /// What a 1:1 send reads before it writes, in one statement: whether the
    /// request was sent before (its ack), whether the recipient blocks the
    /// sender, and whether the two wrote to each other before. Nil when the
    /// recipient does not exist. Three statements of their own cost the
    /// writer two more steps and statement-cache lookups per message.
    static func checkDirectSend(db: Database, _ send: DirectSend) throws -> DirectSendCheck? {
        let check = try BoundStatement(db, directSendCheckSQL)
        check.bind(1, send.to)
        check.bind(2, send.from)
        check.bind(3, send.device)
        check.bind(4, send.clientID)
        return try check.first { column in
            DirectSendCheck(
                sentBefore: column(0) != 0 ? SendResult(messageID: String(column(1)), seq: column(2), timestamp: column(3)) : nil,
                blocked: column(4) != 0, pairKnown: column(5) != 0)
        }
    }

    /// ?1 the recipient, ?2 the sender, ?3 the device, ?4 the request id.
    package static let directSendCheckSQL = """
        SELECT s.message_id IS NOT NULL, s.message_id, s.seq, s.timestamp,
               EXISTS (SELECT 1 FROM blocks WHERE user_id = ?1 AND blocked_id = ?2),
               EXISTS (SELECT 1 FROM direct_conversations WHERE user_id = ?2 AND peer_id = ?1)
        FROM users u LEFT JOIN sends s ON s.user_id = ?2 AND s.device = ?3 AND s.client_id = ?4
        WHERE u.id = ?1
        """
}

struct DirectSendCheck {
    let sentBefore: SendResult?
    let blocked: Bool
    let pairKnown: Bool
}
