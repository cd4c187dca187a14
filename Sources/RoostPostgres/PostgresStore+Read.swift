import PostgresNIO
import RoostProtocol
import RoostStorage

/// Read positions: per user and conversation, monotonic, stored in the same
/// transaction as the `read` items they cause.
extension PostgresStore {
    public func markRead(user: Int64, conversation: Conversation, upTo: Int64, groupFanOutCap: Int) async throws -> StateChange {
        try await write { db in
            let key = try await Self.conversationKey(db: db, user: user, conversation: conversation)
            guard try await db.exists("SELECT 1 FROM messages WHERE id = \(upTo) AND conv_key = \(key)") else {
                throw RoostError.notFound("no such message in this conversation")
            }
            // Who hears of it, and the conversation as each of them names it.
            var members: [Int64] = []
            if case .group(let group) = conversation { members = try await Self.groupMembers(db: db, group: group) }
            let targets = MembershipRules.readTargets(reader: user, conversation: conversation, groupMembers: members,
                                                      fanOutCap: groupFanOutCap)
            // The reader's head lock also serializes two reads of the same user.
            var inbox = try await InboxAppend.lock(targets.map(\.user), db: db)
            // Equal counts as backward: a repeated read changes nothing and adds no item.
            guard upTo > (try await Self.readPosition(db: db, user: user, key: key)) else { return .unchanged }
            try await db.run("""
                INSERT INTO read_positions (user_id, conv_key, up_to) VALUES (\(user), \(key), \(upTo))
                ON CONFLICT (user_id, conv_key) DO UPDATE SET up_to = excluded.up_to
                """)
            var deliveries: [Delivery] = []
            var ownSeq: Int64?
            for target in targets {
                let json = JSONCodec.encodeString(ReadItem(
                    conversation: target.conversation.description, reader: String(user), upTo: String(upTo)))
                let seq = inbox.append(user: target.user, type: "read", messageID: nil, payload: json)
                if target.user == user { ownSeq = seq }
                deliveries.append(Delivery(user: target.user, item: InboxItem(
                    seq: seq, timestamp: inbox.now, body: .other(type: "read", json: json))))
            }
            try await inbox.flush(db: db)
            return StateChange(seq: ownSeq, deliveries: deliveries)
        }
    }
}
