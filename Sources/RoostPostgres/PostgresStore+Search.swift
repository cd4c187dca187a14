import PostgresNIO
import RoostProtocol
import RoostStorage

/// `GET /api/search`: PostgreSQL full-text search over live message text (the
/// generated `search` column, GIN-indexed), ranked with `ts_rank`, limited in
/// the same query to the conversations the searcher may read now, as on SQLite.
///
/// The `simple` configuration splits words without stemming, like SQLite's
/// unicode61 tokenizer; case and diacritics are folded by `searchable` on both
/// sides. The snippet is cut from the original text.
extension PostgresStore {
    public func search(user: Int64, query: String, conversation: Conversation?, limit: Int) async throws -> [SearchHit] {
        let words = SearchWords.split(query)
        guard !words.isEmpty else { return [] }
        // plainto_tsquery: every word required, its operators plain text.
        let text = Self.searchable(words.joined(separator: " ")) ?? ""
        return try await read { db in
            var only = ""
            var key: String?
            if let conversation {
                key = try await Self.readableKey(db: db, user: user, conversation: conversation)
                only = "AND m.conv_key = $5"
            }
            var binds = PostgresBindings()
            binds.append(text)
            binds.append(user)
            binds.append(limit)
            binds.append(user)
            if let key { binds.append(key) }
            let sql = """
                SELECT \(Self.messageColumns(prefix: "m.")),
                       ts_headline('simple', m.content::jsonb ->> 'text', q,
                                   'StartSel="", StopSel="", MaxWords=16, MinWords=6, FragmentDelimiter=…') AS snippet
                FROM messages m, plainto_tsquery('simple', $1) AS q
                WHERE m.search @@ q AND NOT m.recalled
                  AND (m.conv_key IN (SELECT 'g:' || group_id FROM group_members WHERE user_id = $2)
                       OR (m.group_id IS NULL AND (m.sender_id = $4 OR m.recipient_id = $4)))
                  \(only)
                ORDER BY ts_rank(m.search, q) DESC, m.id DESC
                LIMIT $3
                """
            return try await db.rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
                SearchHit(record: try Self.messageRow(row).record(for: user),
                          snippet: try row.makeRandomAccess()[10].decode(String?.self) ?? "")
            }
        }
    }

    /// The key of a conversation `user` may read now; anything else (a group
    /// they are not in, an unknown user) is `forbidden`.
    static func readableKey(db: Database, user: Int64, conversation: Conversation) async throws -> String {
        do {
            return try await conversationKey(db: db, user: user, conversation: conversation)
        } catch let error as RoostError where error.code == .notFound {
            throw RoostError.forbidden("you cannot read this conversation")
        }
    }
}
