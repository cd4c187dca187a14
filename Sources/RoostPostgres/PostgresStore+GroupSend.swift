import PostgresNIO
import RoostProtocol
import RoostStorage

/// Group messages: fan-out on write. One transaction commits the message row
/// and one inbox item per member (all heads locked in one statement, all items
/// inserted in one), so every member sees it at the same point relative to
/// every other message of the group.
extension PostgresStore {
    nonisolated(nonsending) public func sendGroup(_ send: GroupSend, members: [Int64], version: Int64) async throws -> GroupSendOutcome {
        try await write { [ids] db in
            if let existing = try await Self.existingSend(db: db, user: send.from, device: send.device,
                                                          clientID: send.clientID) {
                return GroupSendOutcome(send: SendOutcome(result: existing, duplicate: true, deliveries: []), refreshed: nil)
            }
            // One primary-key read instead of the member list: the caller's list is
            // current unless a membership change committed since it was cached. The
            // share lock keeps one from committing until this send has.
            guard let stored = try await db.value("SELECT version FROM groups WHERE id = \(send.group) FOR SHARE",
                                                  as: Int64.self) else {
                throw Self.notMember
            }
            var recipients = members
            var refreshed: GroupInfo?
            if stored != version {
                refreshed = try await Self.loadGroup(db: db, id: send.group)
                recipients = refreshed?.members ?? []
                guard recipients.contains(send.from) else { throw Self.notMember }
            }
            let key = ConversationKeys.group(send.group)
            var content = try await Self.attachFile(db: db, content: send.content, sender: send.from, conversationKey: key)
            if content.replyTo != nil || content.mentions != nil {
                content = try await Self.checkReferences(db: db, content: content, conversationKey: key,
                                                         participants: Set(recipients))
            }
            var inbox = try await InboxAppend.lock(recipients, db: db)
            if let existing = try await Self.existingSend(db: db, user: send.from, device: send.device,
                                                          clientID: send.clientID) {
                return GroupSendOutcome(send: SendOutcome(result: existing, duplicate: true, deliveries: []), refreshed: nil)
            }
            let now = inbox.now
            let id = ids.next(now: now)
            try await Self.insertMessage(db: db, id: id, sender: send.from, recipient: nil, group: send.group, key: key,
                                         clientID: send.clientID, content: content, now: now)
            try await Self.indexMentions(db: db, messageID: id, sender: send.from, conversationKey: key, content: content)
            // Every member's record is the same (`conversation` is `g:<id>` for all).
            var record = MessageRow(id: id, sender: send.from, recipient: nil, group: send.group, clientID: send.clientID,
                                    content: nil, recalled: false, createdAt: now).record(for: send.from)
            record.content = content
            let body = ItemBody.message(record, clientID: send.clientID)
            var deliveries: [Delivery] = []
            deliveries.reserveCapacity(recipients.count)
            var senderSeq: Int64 = 0
            for user in recipients {
                let seq = inbox.append(user: user, type: "message", messageID: id, payload: nil)
                deliveries.append(Delivery(user: user, item: InboxItem(seq: seq, timestamp: now, body: body)))
                if user == send.from { senderSeq = seq }
            }
            try await inbox.flush(db: db)
            let result = SendResult(messageID: String(id), seq: senderSeq, timestamp: now)
            try await Self.recordSend(db: db, user: send.from, device: send.device, clientID: send.clientID,
                                      result: result, messageID: id)
            return GroupSendOutcome(send: SendOutcome(result: result, duplicate: false, deliveries: deliveries),
                                    refreshed: refreshed)
        }
    }
}
