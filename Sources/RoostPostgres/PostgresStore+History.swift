import PostgresNIO
import RoostProtocol
import RoostStorage

/// History pages and the conversation list, along the `(conv_key, id)` index
/// as on SQLite: a page is one range scan, an unread count one range count.
extension PostgresStore {
    public func history(user: Int64, conversation: Conversation, before: Int64?, limit: Int) async throws -> HistoryResult {
        try await read { db in
            let key = try await Self.conversationKey(db: db, user: user, conversation: conversation)
            let rows = try await db.rows("""
                SELECT \(unescaped: Self.messageColumns()) FROM messages
                WHERE conv_key = \(key) AND id < \(before ?? Int64.max) ORDER BY id DESC LIMIT \(limit + 1)
                """)
            let records = try rows.prefix(limit).map { try Self.messageRow($0).record(for: user) }
            return HistoryResult(messages: records, hasMore: rows.count > limit)
        }
    }

    public func conversations(user: Int64, limit: Int) async throws -> [ConversationEntry] {
        try await read { db in
            var entries: [ConversationEntry] = []
            let direct = try await db.rows("""
                SELECT d.peer_id, d.updated_at, \(unescaped: Self.messageColumns(prefix: "m."))
                FROM direct_conversations d JOIN messages m ON m.id = d.last_message_id
                WHERE d.user_id = \(user) ORDER BY d.last_message_id DESC LIMIT \(limit)
                """)
            for row in direct {
                let (peer, updatedAt) = try row.decode((Int64, Int64).self)
                let key = ConversationKeys.direct(user, peer)
                let position = try await Self.readPosition(db: db, user: user, key: key)
                entries.append(ConversationEntry(
                    conversation: Conversation.direct(peer: peer).description,
                    lastMessage: try Self.messageRow(row, from: 2).record(for: user),
                    unread: try await Self.unread(db: db, user: user, key: key, position: position),
                    mentions: try await Self.unreadMentions(db: db, user: user, key: key, position: position),
                    updatedAt: updatedAt))
            }
            for (group, since) in try await Self.groupsOf(db: db, user: user) {
                let key = ConversationKeys.group(group)
                let last = try await db.rows("""
                    SELECT \(unescaped: Self.messageColumns()) FROM messages WHERE conv_key = \(key) ORDER BY id DESC LIMIT 1
                    """).first.map { try Self.messageRow($0) }
                let position = try await Self.readPosition(db: db, user: user, key: key)
                entries.append(ConversationEntry(
                    conversation: Conversation.group(group).description,
                    lastMessage: last?.record(for: user),
                    unread: try await Self.unread(db: db, user: user, key: key, position: position),
                    mentions: try await Self.unreadMentions(db: db, user: user, key: key, position: position),
                    updatedAt: max(last?.createdAt ?? since, since)))
            }
            entries.sort { ($0.updatedAt, $0.conversation) > ($1.updatedAt, $1.conversation) }
            return Array(entries.prefix(limit))
        }
    }

    /// Messages from others above the user's read position, recalled ones not counted.
    static func unread(db: Database, user: Int64, key: String, position: Int64) async throws -> Int {
        try await db.value("""
            SELECT COUNT(*) FROM messages
            WHERE conv_key = \(key) AND id > \(position) AND sender_id <> \(user) AND NOT recalled
            """, as: Int.self) ?? 0
    }

    /// Unread messages that mention the user.
    static func unreadMentions(db: Database, user: Int64, key: String, position: Int64) async throws -> Int {
        try await db.value("""
            SELECT COUNT(*) FROM mentions WHERE user_id = \(user) AND conv_key = \(key) AND message_id > \(position)
            """, as: Int.self) ?? 0
    }

    static func readPosition(db: Database, user: Int64, key: String) async throws -> Int64 {
        try await db.value("SELECT up_to FROM read_positions WHERE user_id = \(user) AND conv_key = \(key)",
                           as: Int64.self) ?? 0
    }

    /// The storage key of `conversation` for `user`, after the access rule of
    /// PROTOCOL.md 5: an unknown peer is `not_found`, a group the user is not
    /// in (or that does not exist) `forbidden`.
    static func conversationKey(db: Database, user: Int64, conversation: Conversation) async throws -> String {
        switch conversation {
        case .direct(let peer):
            guard try await userExists(db: db, peer) else { throw RoostError.notFound("no such user") }
            return ConversationKeys.direct(user, peer)
        case .group(let group):
            guard try await isGroupMember(db: db, group: group, user: user) else {
                throw RoostError.forbidden("not a member of this group")
            }
            return ConversationKeys.group(group)
        }
    }

    /// Keeps both sides' conversation-list rows current; runs in the send transaction.
    static func touchDirectConversation(db: Database, from: Int64, to: Int64, messageID: Int64, now: Int64) async throws {
        let users = from == to ? [from] : [from, to]
        let peers = from == to ? [to] : [to, from]
        try await db.run("""
            INSERT INTO direct_conversations (user_id, peer_id, last_message_id, updated_at)
            SELECT u, p, \(messageID), \(now) FROM unnest(\(users)::bigint[], \(peers)::bigint[]) AS c(u, p)
            ON CONFLICT (user_id, peer_id) DO UPDATE SET last_message_id = excluded.last_message_id,
                updated_at = excluded.updated_at
            """)
    }
}
