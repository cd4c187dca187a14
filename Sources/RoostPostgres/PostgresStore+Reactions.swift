import PostgresNIO
import RoostProtocol
import RoostStorage

/// `react`: the message row keeps the whole reaction map (so records need no
/// join), read and written under the row's lock so concurrent reactions on
/// any node all land, and every participant gets a `reaction` item in the
/// same transaction.
extension PostgresStore {
    public func react(user: Int64, messageID: Int64, emoji: String, remove: Bool, maxPerUser: Int) async throws -> StateChange {
        try await write { db in
            guard let message = try await Self.fetchMessage(db: db, id: messageID, forUpdate: true) else {
                throw RoostError.notFound("no such message")
            }
            let participants = try await Self.participants(db: db, of: message)
            guard participants.contains(user) else { throw RoostError.forbidden("not a participant of this conversation") }
            if message.group == nil, let other = participants.first(where: { $0 != user }),
               try await Self.blocks(db: db, other, user) {
                throw RoostError.forbidden("this user does not accept your reactions")
            }
            guard !message.recalled else { throw RoostError.conflict("the message was recalled") }

            guard let reactions = try MessageRules.reacting(message.decodedReactions, user: user, emoji: emoji,
                                                            remove: remove, maxPerUser: maxPerUser) else {
                return .unchanged
            }
            let stored: String? = reactions.isEmpty ? nil : JSONCodec.encodeString(reactions)
            try await db.run("UPDATE messages SET reactions = \(stored) WHERE id = \(messageID)")

            var inbox = try await InboxAppend.lock(participants, db: db)
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for holder in participants.sorted() {
                let item = ReactionItem(conversation: message.conversation(for: holder),
                                        messageID: String(messageID), emoji: emoji, userID: String(user), removed: remove)
                let json = JSONCodec.encodeString(item)
                let seq = inbox.append(user: holder, type: "reaction", messageID: messageID, payload: json)
                if holder == user { ownSeq = seq }
                deliveries.append(Delivery(user: holder, item: InboxItem(seq: seq, timestamp: inbox.now,
                                                                         body: .other(type: "reaction", json: json))))
            }
            try await inbox.flush(db: db)
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
    }
}
