import PostgresNIO
import RoostStorage

/// Reading stored messages: the columns every message query selects, in the
/// order `messageRow` decodes them.
extension PostgresStore {
    /// For `\(unescaped:)`: a fixed list of column names, never user input.
    static func messageColumns(prefix: String = "") -> String {
        ["id", "sender_id", "recipient_id", "group_id", "client_id", "content", "recalled", "created_at",
         "edited_at", "reactions"].map { prefix + $0 }.joined(separator: ", ")
    }

    /// Decodes the message columns that start at `index`.
    static func messageRow(_ row: PostgresRow, from index: Int = 0) throws -> MessageRow {
        let cells = row.makeRandomAccess()
        return MessageRow(
            id: try cells[index].decode(Int64.self), sender: try cells[index + 1].decode(Int64.self),
            recipient: try cells[index + 2].decode(Int64?.self), group: try cells[index + 3].decode(Int64?.self),
            clientID: try cells[index + 4].decode(String?.self), content: try cells[index + 5].decode(String?.self),
            recalled: try cells[index + 6].decode(Bool.self), createdAt: try cells[index + 7].decode(Int64.self),
            editedAt: try cells[index + 8].decode(Int64?.self), reactions: try cells[index + 9].decode(String?.self))
    }

    /// As `messageRow`, nil when the columns are NULL (no message joined).
    static func optionalMessageRow(_ row: PostgresRow, from index: Int) throws -> MessageRow? {
        guard try row.makeRandomAccess()[index].decode(Int64?.self) != nil else { return nil }
        return try messageRow(row, from: index)
    }

    static func fetchMessage(db: Database, id: Int64, forUpdate: Bool = false) async throws -> MessageRow? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await db.rows("""
            SELECT \(unescaped: messageColumns()) FROM messages WHERE id = \(id)\(unescaped: lock)
            """).first.map { try messageRow($0) }
    }
}
