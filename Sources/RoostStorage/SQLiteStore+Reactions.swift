import GRDB
import RoostProtocol

/// `react`: the message row keeps the whole reaction map (so records need no
/// join), and every participant gets a `reaction` item in the same transaction.
extension SQLiteStore {
    public func react(user: Int64, messageID: Int64, emoji: String, remove: Bool, maxPerUser: Int) async throws -> StateChange {
        try await writer.write { db, batch in
            guard let message = try Self.fetchMessage(db: db, id: messageID) else {
                throw RoostError.notFound("no such message")
            }
            let participants = try Self.participants(db: db, of: message)
            guard participants.contains(user) else { throw RoostError.forbidden("not a participant of this conversation") }
            if message.group == nil, let other = participants.first(where: { $0 != user }),
               try Self.blocks(db: db, other, user) {
                throw RoostError.forbidden("this user does not accept your reactions")
            }
            guard !message.recalled else { throw RoostError.conflict("the message was recalled") }

            guard let reactions = try MessageRules.reacting(message.decodedReactions, user: user, emoji: emoji,
                                                            remove: remove, maxPerUser: maxPerUser) else {
                return .unchanged
            }
            try db.cachedStatement(sql: "UPDATE messages SET reactions = ? WHERE id = ?")
                .execute(arguments: [reactions.isEmpty ? nil : JSONCodec.encodeString(reactions), messageID])

            let now = nowMillis()
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for holder in participants.sorted() {
                let item = ReactionItem(conversation: message.conversation(for: holder),
                                        messageID: String(messageID), emoji: emoji, userID: String(user), removed: remove)
                let json = JSONCodec.encodeString(item)
                let seq = try Self.appendItem(db: db, batch: batch, user: holder, type: "reaction", messageID: messageID,
                                              payload: json, now: now)
                if holder == user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(seq: seq, timestamp: now,
                                                                         body: .other(type: "reaction", json: json))))
            }
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
    }
}
