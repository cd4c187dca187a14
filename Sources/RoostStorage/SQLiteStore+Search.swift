import GRDB
import RoostProtocol

/// `GET /api/search`: FTS5 over live message text, bm25-ranked, limited in
/// the same query to the conversations the searcher may read now.
extension SQLiteStore {
    public func search(user: Int64, query: String, conversation: Conversation?, limit: Int) async throws -> [SearchHit] {
        guard let match = Self.matchExpression(query) else { return [] }
        // Texts committed but not indexed yet first. The index file's
        // readers see the database as `chat`; the unqualified names below
        // other than message_search are its tables.
        try await searchIndex.catchUp()
        return try await searchIndex.pool.read { db in
            var sql = """
                SELECT m.id, m.sender_id, m.recipient_id, m.group_id, m.client_id, m.content, m.recalled, m.created_at,
                       m.edited_at, m.reactions, snippet(message_search, 0, '', '', '…', 16) AS snippet
                FROM message_search JOIN messages m ON m.id = message_search.rowid
                WHERE message_search MATCH ? AND m.recalled = 0
                  AND (m.conv_key IN (SELECT 'g:' || group_id FROM group_members WHERE user_id = ?)
                       OR (m.group_id IS NULL AND (m.sender_id = ? OR m.recipient_id = ?)))
                """
            var arguments: StatementArguments = [match, user, user, user]
            if let conversation {
                sql += " AND m.conv_key = ?"
                arguments += [try Self.readableKey(db: db, user: user, conversation: conversation)]
            }
            sql += " ORDER BY message_search.rank LIMIT ?"
            arguments += [limit]
            do {
                return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
                    SearchHit(record: Self.messageRow(row).record(for: user), snippet: row["snippet"] ?? "")
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
                // The full-text engine refused the query itself (its syntax), not the database.
                throw RoostError.badRequest("cannot search for that")
            }
        }
    }

    /// The key of a conversation `user` may read now; anything else (a group
    /// they are not in, an unknown user) is `forbidden`.
    static func readableKey(db: Database, user: Int64, conversation: Conversation) throws -> String {
        do {
            return try conversationKey(db: db, user: user, conversation: conversation)
        } catch let error as RoostError where error.code == .notFound {
            throw RoostError.forbidden("you cannot read this conversation")
        }
    }

    /// The user's words as an FTS5 query: each word a quoted phrase (so the
    /// query language's operators are plain text), all words required. Nil
    /// when nothing searchable is left.
    static func matchExpression(_ query: String) -> String? {
        let phrases = SearchWords.split(query).map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return phrases.isEmpty ? nil : phrases.joined(separator: " ")
    }
}
