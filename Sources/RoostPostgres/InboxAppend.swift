import PostgresNIO
import RoostProtocol

/// Seq allocation for one write transaction: the heads of every user the write
/// adds items for are locked first (`SELECT ... ORDER BY user_id FOR UPDATE`,
/// ascending so concurrent writes on any node queue instead of deadlocking),
/// seqs are then counted locally, and `flush` moves the heads and inserts the
/// items with one statement each. The locks are held until the commit, so the
/// next writer of the same user starts from the committed head: gap-free.
///
/// Locking before the message id is taken also keeps every inbox in message-id
/// order: a later writer of the same user takes its id after this commit.
struct InboxAppend {
    struct Item {
        let user: Int64
        let seq: Int64
        let type: String
        let messageID: Int64?
        let payload: String?
    }

    private var heads: [Int64: Int64]
    private var locked: [Int64: Int64]
    private(set) var items: [Item] = []
    let now: Int64

    /// Locks the heads of `users` in `db`'s transaction. `not_found` if one has no account.
    static func lock(_ users: some Sequence<Int64>, db: Database) async throws -> InboxAppend {
        let ids = Array(Set(users)).sorted()
        var heads: [Int64: Int64] = [:]
        for row in try await db.rows("""
            SELECT user_id, seq FROM heads WHERE user_id = ANY(\(ids)) ORDER BY user_id FOR UPDATE
            """) {
            let (user, seq) = try row.decode((Int64, Int64).self)
            heads[user] = seq
        }
        guard heads.count == ids.count else { throw RoostError.notFound("no such user") }
        // Taken after the locks: items of one user are in time order too.
        return InboxAppend(heads: heads, locked: heads, now: nowMillis())
    }

    private init(heads: [Int64: Int64], locked: [Int64: Int64], now: Int64) {
        self.heads = heads
        self.locked = locked
        self.now = now
    }

    /// The head of a locked user as this transaction sees it.
    func head(of user: Int64) -> Int64 {
        precondition(heads[user] != nil, "head of user \(user) not locked")
        return heads[user]!
    }

    /// Adds an item for a locked user; returns its seq.
    mutating func append(user: Int64, type: String, messageID: Int64?, payload: String?) -> Int64 {
        let seq = head(of: user) + 1
        heads[user] = seq
        items.append(Item(user: user, seq: seq, type: type, messageID: messageID, payload: payload))
        return seq
    }

    /// Writes the new heads and the items. Message ids of 0 and empty payloads
    /// stand for NULL in the arrays (postgres-nio binds no NULL elements).
    func flush(db: Database) async throws {
        guard !items.isEmpty else { return }
        let moved = heads.filter { locked[$0.key] != $0.value }
        let users = Array(moved.keys)
        let seqs = users.map { moved[$0]! }
        try await db.run("""
            UPDATE heads SET seq = v.seq FROM unnest(\(users)::bigint[], \(seqs)::bigint[]) AS v(user_id, seq)
            WHERE heads.user_id = v.user_id
            """)
        let itemUsers = items.map(\.user)
        let itemSeqs = items.map(\.seq)
        let types = items.map(\.type)
        let messageIDs = items.map { $0.messageID ?? 0 }
        let payloads = items.map { $0.payload ?? "" }
        try await db.run("""
            INSERT INTO inbox (user_id, seq, type, message_id, payload, created_at)
            SELECT u, s, t, NULLIF(m, 0), NULLIF(p, ''), \(now)
            FROM unnest(\(itemUsers)::bigint[], \(itemSeqs)::bigint[], \(types)::text[], \(messageIDs)::bigint[],
                        \(payloads)::text[]) AS i(u, s, t, m, p)
            """)
    }
}
