import GRDB
import RoostProtocol

extension SQLiteStore {
    nonisolated(nonsending) public func sendDirect(_ send: DirectSend) async throws -> SendOutcome {
        try await writer.write(validatedFirst: true, directSend(send))
    }

    public func sendDirect(_ send: DirectSend, on queue: any CompletionQueue,
                           completion: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) {
        writer.submit(validatedFirst: true, directSend(send), on: queue, completion: completion)
    }

    /// The transaction of a 1:1 message; nothing in it refuses the send after its first write.
    private func directSend(_ send: DirectSend) -> @Sendable (Database, WriteBatch) throws -> SendOutcome {
        // Encoded outside the writer unless the transaction changes the content
        // (a file's metadata filled in, mentions de-duplicated).
        let plainJSON = send.content.fileID == nil && send.content.mentions == nil ? send.content.jsonText : nil
        return { [ids] db, batch in
            if let existing = try Self.sentBefore(db: db, user: send.from, device: send.device, clientID: send.clientID) {
                return SendOutcome(result: existing, duplicate: true, deliveries: [])
            }
            // One read: no row if the recipient does not exist, else whether they block the sender.
            let recipient = try BoundStatement(db, """
                SELECT EXISTS (SELECT 1 FROM blocks WHERE user_id = ?1 AND blocked_id = ?2) FROM users WHERE id = ?1
                """)
            recipient.bind(1, send.to)
            recipient.bind(2, send.from)
            guard let blocked = try recipient.first({ $0(0) != 0 }) else {
                throw RoostError.notFound("no such user")
            }
            if send.from != send.to, blocked {
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
            let firstContact = try Self.touchDirectConversation(db: db, from: send.from, to: send.to)
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
}
