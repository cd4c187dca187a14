import GRDB
import RoostProtocol

/// Group messages: fan-out on write. One writer operation commits the message
/// row and one inbox item per member, so every member sees the message at the
/// same point relative to every other message of the group.
extension SQLiteStore {
    nonisolated(nonsending) public func sendGroup(_ send: GroupSend, members: [Int64], version: Int64) async throws -> GroupSendOutcome {
        try await writer.write(validatedFirst: true, groupSend(send, members: members, version: version))
    }

    public func sendGroup(_ send: GroupSend, members: [Int64], version: Int64, on queue: any CompletionQueue,
                          completion: @escaping @Sendable (Result<GroupSendOutcome, any Error>) -> Void) {
        writer.submit(validatedFirst: true, groupSend(send, members: members, version: version), on: queue,
                      completion: completion)
    }

    /// The transaction of a group message; nothing in it refuses the send after its first write.
    private func groupSend(_ send: GroupSend, members: [Int64],
                           version: Int64) -> @Sendable (Database, WriteBatch) throws -> GroupSendOutcome {
        return { [ids] db, batch in
            if let existing = try Self.sentBefore(db: db, user: send.from, device: send.device, clientID: send.clientID) {
                return GroupSendOutcome(send: SendOutcome(result: existing, duplicate: true, deliveries: []), refreshed: nil)
            }
            // One primary-key read instead of the member list: the caller's list
            // is current unless a membership change committed since it was cached.
            guard let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM groups WHERE id = ?"),
                                                  arguments: [send.group]) else {
                throw Self.notMember
            }
            var recipients = members
            var refreshed: GroupInfo?
            if stored != version {
                refreshed = try Self.loadGroup(db, id: send.group)
                recipients = refreshed?.members ?? []
                guard recipients.contains(send.from) else { throw Self.notMember }
            }
            let key = "g:\(send.group)"
            var content = send.content
            if content.replyTo != nil || content.mentions != nil {
                content = try Self.checkReferences(db: db, content: content, conversationKey: key,
                                                   participants: Set(recipients))
            }
            // The last check, and the first write (the file's share row): nothing
            // below refuses the send (the writer runs it without a savepoint).
            content = try Self.attachFile(db: db, content: content, sender: send.from, conversationKey: key)
            let contentJSON = content.jsonText
            let now = nowMillis()
            let id = ids.next(now: now)
            try Self.insertMessage(db: db, id: id, sender: send.from, recipient: nil, group: send.group, conversationKey: key,
                                   clientID: send.clientID, contentJSON: contentJSON, now: now)
            try Self.indexContent(db: db, messageID: id, sender: send.from, conversationKey: key, content: content)
            // Every member's record is the same (`conversation` is `g:<id>` for all).
            var record = MessageRow(id: id, sender: send.from, recipient: nil, group: send.group, clientID: send.clientID,
                                    content: nil, recalled: false, createdAt: now).record(for: send.from)
            record.content = content
            let body = ItemBody.message(record, clientID: send.clientID)
            var deliveries: [Delivery] = []
            deliveries.reserveCapacity(recipients.count)
            var senderSeq: Int64 = 0
            let inbox = try InboxAppender(db: db, batch: batch)
            for user in recipients {
                let seq = try inbox.append(user: user, type: "message", messageID: id, payload: nil, now: now)
                deliveries.append(Delivery(user: user, item: InboxItem(seq: seq, timestamp: now, body: body)))
                if user == send.from { senderSeq = seq }
            }
            let result = SendResult(messageID: String(id), seq: senderSeq, timestamp: now)
            try Self.recordSend(db: db, user: send.from, device: send.device, clientID: send.clientID, result: result,
                                messageID: id)
            return GroupSendOutcome(send: SendOutcome(result: result, duplicate: false, deliveries: deliveries),
                                    refreshed: refreshed)
        }
    }
}
