import GRDB
import RoostProtocol

/// Read positions: per user and conversation, monotonic, stored in the same
/// transaction as the `read` items they cause.
extension SQLiteStore {
    public func markRead(user: Int64, conversation: Conversation, upTo: Int64, groupFanOutCap: Int) async throws -> StateChange {
        try await writer.write { db, batch in
            let key = try Self.conversationKey(db: db, user: user, conversation: conversation)
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM messages WHERE id = ? AND conv_key = ?"),
                                    arguments: [upTo, key]) == true else {
                throw RoostError.notFound("no such message in this conversation")
            }
            // Equal counts as backward: a repeated read changes nothing and adds no item.
            guard upTo > (try Self.readPosition(db: db, user: user, key: key)) else { return .unchanged }
            try db.cachedStatement(sql: """
                INSERT INTO read_positions (user_id, conv_key, up_to) VALUES (?, ?, ?)
                ON CONFLICT (user_id, conv_key) DO UPDATE SET up_to = excluded.up_to
                """).execute(arguments: [user, key, upTo])

            // Who hears of it, and the conversation as each of them names it.
            var members: [Int64] = []
            if case .group(let group) = conversation { members = try Self.groupMembers(db: db, group: group) }
            let targets = MembershipRules.readTargets(reader: user, conversation: conversation, groupMembers: members,
                                                      fanOutCap: groupFanOutCap)
            let now = nowMillis()
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for target in targets {
                let json = JSONCodec.encodeString(ReadItem(
                    conversation: target.conversation.description, reader: String(user), upTo: String(upTo)))
                let seq = try Self.appendItem(db: db, batch: batch, user: target.user, type: "read", messageID: nil,
                                              payload: json, now: now)
                if target.user == user { ownSeq = seq }
                deliveries.append(Delivery(user: target.user, item: InboxItem(
                    seq: seq, timestamp: now, body: .other(type: "read", json: json))))
            }
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
    }
}
