import PostgresNIO
import RoostProtocol
import RoostStorage

extension PostgresStore {
    nonisolated(nonsending) public func sendDirect(_ send: DirectSend) async throws -> SendOutcome {
        try await write { [ids] db in
            if let existing = try await Self.existingSend(db: db, user: send.from, device: send.device,
                                                          clientID: send.clientID) {
                return SendOutcome(result: existing, duplicate: true, deliveries: [])
            }
            guard try await Self.userExists(db: db, send.to) else { throw RoostError.notFound("no such user") }
            if send.from != send.to, try await Self.blocks(db: db, send.to, send.from) {
                throw RoostError.forbidden("this user does not accept your messages")
            }
            let key = ConversationKeys.direct(send.from, send.to)
            var content = try await Self.attachFile(db: db, content: send.content, sender: send.from, conversationKey: key)
            if content.replyTo != nil || content.mentions != nil {
                content = try await Self.checkReferences(db: db, content: content, conversationKey: key,
                                                         participants: [send.from, send.to])
            }
            var inbox = try await InboxAppend.lock([send.from, send.to], db: db)
            // A retry of the same request that waited on the sender's head finds it committed now.
            if let existing = try await Self.existingSend(db: db, user: send.from, device: send.device,
                                                          clientID: send.clientID) {
                return SendOutcome(result: existing, duplicate: true, deliveries: [])
            }
            let now = inbox.now
            let id = ids.next(now: now)
            try await Self.insertMessage(db: db, id: id, sender: send.from, recipient: send.to, group: nil, key: key,
                                         clientID: send.clientID, content: content, now: now)
            try await Self.indexMentions(db: db, messageID: id, sender: send.from, conversationKey: key, content: content)
            // The first message between two users makes them contacts (presence).
            let existed = try await db.exists("""
                SELECT 1 FROM direct_conversations WHERE user_id = \(send.from) AND peer_id = \(send.to)
                """)
            try await Self.touchDirectConversation(db: db, from: send.from, to: send.to, messageID: id, now: now)
            let row = MessageRow(id: id, sender: send.from, recipient: send.to, group: nil, clientID: send.clientID,
                                 content: nil, recalled: false, createdAt: now)
            var deliveries: [Delivery] = []
            var senderSeq: Int64 = 0
            for user in send.from == send.to ? [send.to] : [send.to, send.from] {
                let seq = inbox.append(user: user, type: "message", messageID: id, payload: nil)
                var record = row.record(for: user)
                record.content = content
                deliveries.append(Delivery(user: user, item: InboxItem(
                    seq: seq, timestamp: now, body: .message(record, clientID: send.clientID))))
                if user == send.from { senderSeq = seq }
            }
            try await inbox.flush(db: db)
            let result = SendResult(messageID: String(id), seq: senderSeq, timestamp: now)
            try await Self.recordSend(db: db, user: send.from, device: send.device, clientID: send.clientID,
                                      result: result, messageID: id)
            return SendOutcome(result: result, duplicate: false, deliveries: deliveries,
                               firstContact: !existed && send.from != send.to)
        }
    }
}
