import GRDB
import RoostProtocol

/// `edit`: the row gets the new content and `edited_at`, the search index and
/// mentions follow it, and every participant gets an `edit` item, all in one
/// transaction. The items are stored without content: whoever syncs one later
/// gets the message's content as it is then (none after a recall).
extension SQLiteStore {
    public func edit(_ edit: MessageEdit) async throws -> EditOutcome {
        let searchIndex = self.searchIndex
        return try await writer.write { db, batch in
            guard let message = try Self.fetchMessage(db: db, id: edit.messageID) else {
                throw RoostError.notFound("no such message")
            }
            guard message.sender == edit.user else { throw RoostError.forbidden("not your message") }
            let participants = try Self.participants(db: db, of: message)
            guard participants.contains(edit.user) else { throw RoostError.forbidden("not a member of this group") }
            if message.group == nil, let peer = message.recipient, peer != edit.user,
               try Self.blocks(db: db, peer, edit.user) {
                throw RoostError.forbidden("this user does not accept your messages")
            }
            guard !message.recalled else { throw RoostError.conflict("the message was recalled") }
            let now = nowMillis()
            guard now - message.createdAt <= edit.windowMillis else {
                throw RoostError.forbidden("the edit window has passed")
            }
            let key = message.conversationKey
            var content = try Self.attachFile(db: db, content: edit.content, sender: edit.user, conversationKey: key)
            content = try Self.checkReferences(db: db, content: content, conversationKey: key,
                                               participants: Set(participants))
            try Self.unindexContent(db: db, message: message, appliedSearchChange: searchIndex.appliedChange)
            try db.cachedStatement(sql: "UPDATE messages SET content = ?, edited_at = ? WHERE id = ?")
                .execute(arguments: [content.jsonText, now, message.id])
            try Self.indexContent(db: db, messageID: message.id, sender: edit.user, conversationKey: key, content: content)

            var deliveries: [Delivery] = []
            var ownSeq: Int64 = 0
            for holder in participants.sorted() {
                var item = EditItem(conversation: message.conversation(for: holder),
                                    messageID: String(message.id), content: nil, editedAt: now, by: String(edit.user))
                let seq = try Self.appendItem(db: db, batch: batch, user: holder, type: "edit", messageID: message.id,
                                              payload: item.jsonText, now: now)
                item.content = content
                if holder == edit.user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(
                    seq: seq, timestamp: now, body: .other(type: "edit", json: item.jsonText))))
            }
            return EditOutcome(change: StateChange(seq: ownSeq, deliveries: deliveries), editedAt: now)
        }
    }
}
