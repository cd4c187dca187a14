import PostgresNIO
import RoostProtocol
import RoostStorage

/// Recall: the content is erased in place and every participant gets a
/// `recall` item in the same transaction. The old row version stays in the
/// table's pages until VACUUM reclaims it (autovacuum does; docs/scaling.md).
extension PostgresStore {
    public func recall(user: Int64, messageID: Int64, windowMillis: Int64) async throws -> StateChange {
        try await write { db in
            guard let message = try await Self.fetchMessage(db: db, id: messageID, forUpdate: true) else {
                throw RoostError.notFound("no such message")
            }
            let now = nowMillis()
            let participants: [Int64]
            let mayRecall: Bool
            if let group = message.group {
                guard try await Self.isGroupMember(db: db, group: group, user: user) else {
                    throw RoostError.forbidden("not a member of this group")
                }
                participants = try await Self.groupMembers(db: db, group: group)
                let owns = try await Self.groupOwner(db: db, group: group) == user
                mayRecall = owns || (message.sender == user && (message.recalled || now - message.createdAt <= windowMillis))
            } else {
                participants = message.directParticipants
                mayRecall = message.sender == user && (message.recalled || now - message.createdAt <= windowMillis)
            }
            guard mayRecall else {
                throw RoostError.forbidden(message.sender == user ? "the recall window has passed" : "not your message")
            }
            if message.recalled { return .unchanged }
            var inbox = try await InboxAppend.lock(participants, db: db)
            try await Self.unindexMentions(db: db, message: message)
            try await db.run("""
                UPDATE messages SET content = NULL, search_text = NULL, recalled = TRUE, reactions = NULL
                WHERE id = \(messageID)
                """)
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for holder in participants.sorted() {
                let item = RecallItem(conversation: message.conversation(for: holder),
                                      messageID: String(messageID), by: String(user))
                let seq = inbox.append(user: holder, type: "recall", messageID: messageID,
                                       payload: JSONCodec.encodeString(item))
                if holder == user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(seq: seq, timestamp: inbox.now, body: .recall(item))))
            }
            try await inbox.flush(db: db)
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
    }
}
