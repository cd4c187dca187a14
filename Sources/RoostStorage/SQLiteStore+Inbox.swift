import Foundation
import GRDB
import RoostProtocol

extension SQLiteStore {
    nonisolated(nonsending) public func head(of user: Int64) async throws -> Int64 {
        if let cached = heads.get(user) { return cached }
        return try await pool.read { [heads] db in try heads.load(user, db: db) }
    }

    nonisolated(nonsending) public func cursor(user: Int64, device: String) async throws -> Int64 {
        if let pending = writer.pendingCursor(user: user, device: device) { return pending }
        return try await pool.read { db in try Self.storedCursor(db: db, user: user, device: device) }
    }

    /// The device cursor as last written (0 for a new device).
    static func storedCursor(db: Database, user: Int64, device: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT acked_seq FROM devices WHERE user_id = ? AND name = ?"),
                           arguments: [user, device]) ?? 0
    }

    /// One read transaction instead of four: a reconnect storm pays one
    /// reader hop per connection for its session start.
    nonisolated(nonsending) public func sessionStart(user: Int64, device: String) async throws -> SessionStart {
        let pendingCursor = writer.pendingCursor(user: user, device: device)
        return try await connectionReads.read { [heads] db in
            let tokenVersion = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT token_version FROM users WHERE id = ?"), arguments: [user])
            let head = try heads.load(user, db: db)
            let cursor = try pendingCursor ?? Self.storedCursor(db: db, user: user, device: device)
            return SessionStart(tokenVersion: tokenVersion, head: head, cursor: cursor,
                                contacts: try Self.contacts(db: db, of: user))
        }
    }

    public func setCursor(user: Int64, device: String, to seq: Int64) {
        writer.setCursor(user: user, device: device, to: seq)
    }

    nonisolated(nonsending) public func items(user: Int64, after: Int64, limit: Int) async throws -> [InboxItem] {
        try await pool.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT i.seq, i.type, i.message_id, i.payload, i.created_at,
                       m.sender_id, m.recipient_id, m.group_id, m.client_id, m.content, m.recalled,
                       m.created_at AS m_created_at, m.edited_at, m.reactions
                FROM inbox i LEFT JOIN messages m ON m.id = i.message_id
                WHERE i.user_id = ? AND i.seq > ?
                ORDER BY i.seq
                LIMIT ?
                """), arguments: [user, after, limit])
            var items: [InboxItem] = []
            while let row = try rows.next() {
                items.append(try Self.item(row, holder: user))
            }
            return items
        }
    }

    /// Builds the item `holder` sees from an inbox row joined with its message.
    static func item(_ row: Row, holder: Int64) throws -> InboxItem {
        let type: String = row["type"]
        let message: MessageRow? = (row["sender_id"] as Int64?) == nil ? nil : MessageRow(
            id: row["message_id"], sender: row["sender_id"], recipient: row["recipient_id"],
            group: row["group_id"], clientID: row["client_id"], content: row["content"],
            recalled: row["recalled"], createdAt: row["m_created_at"], editedAt: row["edited_at"],
            reactions: row["reactions"])
        return InboxRow(seq: row["seq"], type: type, payload: row["payload"], createdAt: row["created_at"],
                        message: message).item(for: holder)
    }

    /// Appends an item to `user`'s inbox within the batch; returns its seq.
    static func appendItem(db: Database, batch: WriteBatch, user: Int64, type: String, messageID: Int64?,
                           payload: String?, now: Int64) throws -> Int64 {
        try InboxAppender(db: db, batch: batch).append(user: user, type: type, messageID: messageID, payload: payload,
                                                       now: now)
    }
}

/// Appends items to inboxes within one batch through one prepared insert:
/// a group message appends one per member.
struct InboxAppender {
    private let batch: WriteBatch
    private let db: Database
    private let insert: BoundStatement

    init(db: Database, batch: WriteBatch) throws {
        self.db = db
        self.batch = batch
        insert = try BoundStatement(db, """
            INSERT INTO inbox (user_id, seq, type, message_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    /// Appends one item to `user`'s inbox; returns its seq.
    func append(user: Int64, type: String, messageID: Int64?, payload: String?, now: Int64) throws -> Int64 {
        let seq = try batch.nextSeq(for: user, db: db)
        insert.bind(1, user)
        insert.bind(2, seq)
        insert.bind(3, type)
        insert.bind(4, messageID)
        insert.bind(5, payload)
        insert.bind(6, now)
        try insert.execute()
        return seq
    }
}

/// One stored inbox row with its message (if it references one), as every
/// backend reads it: the one place that turns a stored item into what a device sees.
package struct InboxRow {
    package let seq: Int64
    package let type: String
    package let payload: String?
    package let createdAt: Int64
    /// The referenced message, nil when the item has none (or it is gone).
    package let message: MessageRow?

    package init(seq: Int64, type: String, payload: String?, createdAt: Int64, message: MessageRow?) {
        self.seq = seq
        self.type = type
        self.payload = payload
        self.createdAt = createdAt
        self.message = message
    }

    package func item(for holder: Int64) -> InboxItem {
        switch type {
        case "message" where message != nil:
            let record = message!.record(for: holder)
            return InboxItem(seq: seq, timestamp: createdAt, body: .message(record, clientID: message!.clientID))
        case "edit":
            // The content is the message's current one (none once recalled).
            guard let payload, var edit = try? JSONCodec.decode(EditItem.self, from: payload) else { break }
            let recalled = message?.recalled ?? true
            edit.content = recalled ? nil : message?.decodedContent
            return InboxItem(seq: seq, timestamp: createdAt, body: .other(type: type, json: edit.jsonText))
        case "recall":
            if let payload, let recall = try? JSONCodec.decode(RecallItem.self, from: payload) {
                return InboxItem(seq: seq, timestamp: createdAt, body: .recall(recall))
            }
        default:
            break
        }
        return InboxItem(seq: seq, timestamp: createdAt, body: .other(type: type, json: payload ?? "{}"))
    }
}

/// A stored message, turned into the record one reader sees.
package struct MessageRow {
    package let id: Int64
    package let sender: Int64
    package let recipient: Int64?
    package let group: Int64?
    package let clientID: String?
    package let content: String?
    package let recalled: Bool
    package let createdAt: Int64
    package var editedAt: Int64?
    /// JSON {emoji: [user ids]}.
    package var reactions: String?

    package init(id: Int64, sender: Int64, recipient: Int64?, group: Int64?, clientID: String?, content: String?,
                 recalled: Bool, createdAt: Int64, editedAt: Int64? = nil, reactions: String? = nil) {
        self.id = id
        self.sender = sender
        self.recipient = recipient
        self.group = group
        self.clientID = clientID
        self.content = content
        self.recalled = recalled
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.reactions = reactions
    }

    package var decodedContent: MessageContent? {
        content.flatMap { try? JSONCodec.decode(MessageContent.self, from: $0) }
    }

    package var decodedReactions: [String: [String]] {
        reactions.flatMap { try? JSONCodec.decode([String: [String]].self, from: $0) } ?? [:]
    }

    /// The storage key of the conversation (`d:<low>:<high>` or `g:<id>`).
    package var conversationKey: String {
        if let group { return "g:\(group)" }
        let peer = recipient ?? sender
        return "d:\(min(sender, peer)):\(max(sender, peer))"
    }

    /// Who may read it now: both sides of a 1:1 conversation; for a group, the caller asks the members.
    package var directParticipants: [Int64] { Array(Set([sender, recipient ?? sender])).sorted() }

    /// The conversation as `holder` sees it (`u:<peer>` or `g:<group>`).
    package func conversation(for holder: Int64) -> String {
        if let group { return Conversation.group(group).description }
        let peer = sender == holder ? (recipient ?? holder) : sender
        return Conversation.direct(peer: peer).description
    }

    package func record(for holder: Int64) -> MessageRecord {
        let conversation = conversation(for: holder)
        if recalled {
            return MessageRecord(messageID: String(id), conversation: conversation, from: String(sender),
                                 to: recipient.map(String.init), groupID: group.map(String.init),
                                 content: nil, timestamp: createdAt, recalled: true)
        }
        let reactions = decodedReactions
        return MessageRecord(
            messageID: String(id), conversation: conversation, from: String(sender),
            to: recipient.map(String.init), groupID: group.map(String.init),
            content: decodedContent, timestamp: createdAt, editedAt: editedAt,
            reactions: reactions.isEmpty ? nil : reactions)
    }
}
