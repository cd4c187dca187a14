import PostgresNIO
import RoostProtocol
import RoostStorage

/// `edit`: the row gets the new content and `edited_at` (its search column
/// follows by itself), mentions follow it, and every participant gets an
/// `edit` item, all in one transaction under the message row's lock. Items are
/// stored without content: whoever syncs one later gets the content as it is then.
extension PostgresStore {
    public func edit(_ edit: MessageEdit) async throws -> EditOutcome {
        try await write { db in
            guard let message = try await Self.fetchMessage(db: db, id: edit.messageID, forUpdate: true) else {
                throw RoostError.notFound("no such message")
            }
            guard message.sender == edit.user else { throw RoostError.forbidden("not your message") }
            let participants = try await Self.participants(db: db, of: message)
            guard participants.contains(edit.user) else { throw RoostError.forbidden("not a member of this group") }
            if message.group == nil, let peer = message.recipient, peer != edit.user,
               try await Self.blocks(db: db, peer, edit.user) {
                throw RoostError.forbidden("this user does not accept your messages")
            }
            guard !message.recalled else { throw RoostError.conflict("the message was recalled") }
            guard nowMillis() - message.createdAt <= edit.windowMillis else {
                throw RoostError.forbidden("the edit window has passed")
            }
            let key = message.conversationKey
            var content = try await Self.attachFile(db: db, content: edit.content, sender: edit.user, conversationKey: key)
            content = try await Self.checkReferences(db: db, content: content, conversationKey: key,
                                                     participants: Set(participants))
            var inbox = try await InboxAppend.lock(participants, db: db)
            let now = inbox.now
            try await Self.unindexMentions(db: db, message: message)
            try await db.run("""
                UPDATE messages SET content = \(content.jsonText), search_text = \(Self.searchable(content.text)),
                    edited_at = \(now)
                WHERE id = \(message.id)
                """)
            try await Self.indexMentions(db: db, messageID: message.id, sender: edit.user, conversationKey: key,
                                         content: content)
            var deliveries: [Delivery] = []
            var ownSeq: Int64 = 0
            for holder in participants.sorted() {
                var item = EditItem(conversation: message.conversation(for: holder),
                                    messageID: String(message.id), content: nil, editedAt: now, by: String(edit.user))
                let seq = inbox.append(user: holder, type: "edit", messageID: message.id, payload: item.jsonText)
                item.content = content
                if holder == edit.user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(
                    seq: seq, timestamp: now, body: .other(type: "edit", json: item.jsonText))))
            }
            try await inbox.flush(db: db)
            return EditOutcome(change: StateChange(seq: ownSeq, deliveries: deliveries), editedAt: now)
        }
    }
}
