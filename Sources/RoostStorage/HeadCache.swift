import GRDB
import Synchronization

/// Committed inbox heads by user. Only the writer allocates seqs, so the cache
/// is exact once loaded; it saves a `MAX(seq)` lookup per item written.
final class HeadCache: Sendable {
    private let heads = Mutex<[Int64: Int64]>([:])

    func get(_ user: Int64) -> Int64? {
        heads.withLock { $0[user] }
    }

    func merge(_ committed: [Int64: Int64]) {
        guard !committed.isEmpty else { return }
        heads.withLock { heads in
            for (user, head) in committed { heads[user] = head }
        }
    }

    func load(_ user: Int64, db: Database) throws -> Int64 {
        if let cached = get(user) { return cached }
        let head = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM inbox WHERE user_id = ?"),
                                      arguments: [user]) ?? 0
        return head
    }

    func reset() {
        heads.withLock { $0 = [:] }
    }
}

/// Seq allocation inside one batch transaction. Heads move in three stages:
/// per operation (discarded if its savepoint rolls back), per batch (discarded
/// if the commit fails), and the cache (after the commit).
///
/// Only used on the writer's queue, one batch at a time.
final class WriteBatch: @unchecked Sendable {
    private let heads: HeadCache
    private var batchHeads: [Int64: Int64] = [:]
    private var opHeads: [Int64: Int64] = [:]

    init(heads: HeadCache) {
        self.heads = heads
    }

    var committedHeads: [Int64: Int64] { batchHeads }

    /// Keeps the table's storage: a batch runs hundreds of ops.
    func beginOp() { opHeads.removeAll(keepingCapacity: true) }

    func endOp(committed: Bool) {
        if committed {
            for (user, head) in opHeads { batchHeads[user] = head }
        }
        opHeads.removeAll(keepingCapacity: true)
    }

    /// The next seq of `user`'s inbox within this transaction.
    func nextSeq(for user: Int64, db: Database) throws -> Int64 {
        let current = try opHeads[user] ?? batchHeads[user] ?? heads.load(user, db: db)
        let next = current + 1
        opHeads[user] = next
        return next
    }

    /// The head as this transaction sees it.
    func head(of user: Int64, db: Database) throws -> Int64 {
        try opHeads[user] ?? batchHeads[user] ?? heads.load(user, db: db)
    }
}
