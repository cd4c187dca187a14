import GRDB
import GRDBSQLite
import RoostProtocol

/// History pages and the conversation list. Both read along the
/// `(conv_key, id)` index: a page is one range seek, an unread count one
/// range count above the read position; nothing scans a whole history.
extension SQLiteStore {
    /// The columns `messageRow` reads.
    static let messageColumns = "id, sender_id, recipient_id, group_id, client_id, content, recalled, created_at, edited_at, reactions"

    /// A page of history, newest first (`?` = conv_key, before-id, limit).
    public static let historySQL = """
        SELECT \(messageColumns)
        FROM messages WHERE conv_key = ? AND id < ? ORDER BY id DESC LIMIT ?
        """
    /// Unread messages (`?` = conv_key, read position, reader).
    public static let unreadSQL = """
        SELECT COUNT(*) FROM messages WHERE conv_key = ? AND id > ? AND sender_id <> ? AND recalled = 0
        """
    /// A user's 1:1 conversations with their newest message, newest first
    /// (`?` = user, limit). Each pair's newest message is one seek along the
    /// (conv_key, id) index, as for groups: the pairs table holds no "last
    /// message" (keeping one cost every message two more writes). The key is
    /// `ConversationKeys.direct`, spelled in SQL.
    public static let directConversationsSQL = """
        SELECT d.peer_id, m.id, m.sender_id, m.recipient_id, m.group_id, m.client_id,
               m.content, m.recalled, m.created_at, m.edited_at, m.reactions
        FROM direct_conversations d
        JOIN messages m ON m.id = (
            SELECT id FROM messages
            WHERE conv_key = 'd:' || min(d.user_id, d.peer_id) || ':' || max(d.user_id, d.peer_id)
            ORDER BY id DESC LIMIT 1)
        WHERE d.user_id = ?
        ORDER BY m.id DESC LIMIT ?
        """
    /// The newest message of a conversation (`?` = conv_key).
    static let lastMessageSQL = """
        SELECT \(messageColumns)
        FROM messages WHERE conv_key = ? ORDER BY id DESC LIMIT 1
        """

    public func history(user: Int64, conversation: Conversation, before: Int64?, limit: Int) async throws -> HistoryResult {
        try await pool.read { db in
            let key = try Self.conversationKey(db: db, user: user, conversation: conversation)
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.historySQL),
                                        arguments: [key, before ?? Int64.max, limit + 1])
            let records = rows.prefix(limit).map { Self.messageRow($0).record(for: user) }
            return HistoryResult(messages: records, hasMore: rows.count > limit)
        }
    }

    public func conversations(user: Int64, limit: Int) async throws -> [ConversationEntry] {
        try await pool.read { db in
            var entries: [ConversationEntry] = []
            let direct = try Row.fetchAll(db.cachedStatement(sql: Self.directConversationsSQL),
                                          arguments: [user, limit])
            for row in direct {
                let peer: Int64 = row["peer_id"]
                let key = Self.directKey(user, peer)
                let position = try Self.readPosition(db: db, user: user, key: key)
                let last = Self.messageRow(row)
                entries.append(ConversationEntry(
                    conversation: Conversation.direct(peer: peer).description,
                    lastMessage: last.record(for: user),
                    unread: try Self.unread(db: db, user: user, key: key, position: position),
                    mentions: try Self.unreadMentions(db: db, user: user, key: key, position: position),
                    updatedAt: last.createdAt))
            }
            for (group, since) in try Self.groupsOf(db: db, user: user) {
                let key = "g:\(group)"
                let last = try Row.fetchOne(db.cachedStatement(sql: Self.lastMessageSQL), arguments: [key])
                    .map { Self.messageRow($0) }
                let position = try Self.readPosition(db: db, user: user, key: key)
                entries.append(ConversationEntry(
                    conversation: Conversation.group(group).description,
                    lastMessage: last?.record(for: user),
                    unread: try Self.unread(db: db, user: user, key: key, position: position),
                    mentions: try Self.unreadMentions(db: db, user: user, key: key, position: position),
                    updatedAt: max(last?.createdAt ?? since, since)))
            }
            entries.sort { ($0.updatedAt, $0.conversation) > ($1.updatedAt, $1.conversation) }
            return Array(entries.prefix(limit))
        }
    }

    /// Messages from others above the user's read position, recalled ones not counted.
    static func unread(db: Database, user: Int64, key: String, position: Int64) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: unreadSQL), arguments: [key, position, user]) ?? 0
    }

    /// Unread messages that mention the user (rows go when a message is recalled
    /// or edited to drop the mention; the sender's own are never stored).
    static func unreadMentions(db: Database, user: Int64, key: String, position: Int64) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM mentions WHERE user_id = ? AND conv_key = ? AND message_id > ?
            """), arguments: [user, key, position]) ?? 0
    }

    static func readPosition(db: Database, user: Int64, key: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT up_to FROM read_positions WHERE user_id = ? AND conv_key = ?"),
                           arguments: [user, key]) ?? 0
    }

    /// The storage key of `conversation` for `user`, after the access rule of
    /// PROTOCOL.md 5: an unknown peer is `not_found`, a group the user is not
    /// in (or that does not exist) `forbidden`.
    static func conversationKey(db: Database, user: Int64, conversation: Conversation) throws -> String {
        switch conversation {
        case .direct(let peer):
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE id = ?"),
                                    arguments: [peer]) == true else {
                throw RoostError.notFound("no such user")
            }
            return directKey(user, peer)
        case .group(let group):
            guard try isGroupMember(db: db, group: group, user: user) else {
                throw RoostError.forbidden("not a member of this group")
            }
            return "g:\(group)"
        }
    }

    static func directKey(_ a: Int64, _ b: Int64) -> String {
        ConversationKeys.direct(a, b)
    }

    /// Records that two users have a 1:1 conversation (both sides' rows), on
    /// the first message (`checkDirectSend` read that there was none); runs
    /// in the send transaction. Later messages write nothing here.
    static func recordDirectConversation(db: Database, from: Int64, to: Int64) throws {
        let insert = try BoundStatement(db, """
            INSERT OR IGNORE INTO direct_conversations (user_id, peer_id) VALUES (?, ?)
            """)
        for (user, peer) in from == to ? [(from, to)] : [(from, to), (to, from)] {
            insert.bind(1, user)
            insert.bind(2, peer)
            try insert.execute()
        }
    }

    static func messageRow(_ row: Row) -> MessageRow {
        MessageRow(id: row["id"], sender: row["sender_id"], recipient: row["recipient_id"], group: row["group_id"],
                   clientID: row["client_id"], content: row["content"], recalled: row["recalled"],
                   createdAt: row["created_at"], editedAt: row["edited_at"], reactions: row["reactions"])
    }

    /// The plan SQLite picks for `sql`, one line per step (for tests and diagnostics).
    /// Parameters are bound to NULL: the plan does not depend on their values.
    public func queryPlan(_ sql: String) async throws -> [String] {
        try await pool.read { db in
            // Parameters as SQLite counts them (`?1` used twice is one).
            let count = Int(sqlite3_bind_parameter_count(try db.makeStatement(sql: sql).sqliteStatement))
            let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: count))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: nulls)
                .map { $0["detail"] as String }
        }
    }
}
