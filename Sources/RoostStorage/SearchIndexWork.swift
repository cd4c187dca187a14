import GRDB

/// What one indexing step reads from the database (in one read, so one
/// snapshot) and then writes into the index file.
struct SearchIndexWork {
    /// Recorded edits and recalls: the message and its text now (nil once
    /// recalled), in the order they were recorded.
    var changes: [(message: Int64, text: String?)] = []
    var lastChange: Int64?
    /// New messages' texts, oldest first.
    var newTexts: [(message: Int64, text: String)] = []
    /// The newest message this step covers (with or without text).
    var newUpTo: Int64?
    /// More new messages wait beyond this step.
    var more = false

    static func read(_ db: Database, after index: SearchIndexState, newTexts limit: Int) throws -> SearchIndexWork {
        var work = SearchIndexWork()
        let changes = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT c.seq, c.message_id, json_extract(m.content, '$.text') AS text
            FROM search_changes c LEFT JOIN messages m ON m.id = c.message_id
            WHERE c.seq > ? ORDER BY c.seq
            """), arguments: [index.appliedChange])
        while let row = try changes.next() {
            work.lastChange = row["seq"]
            work.changes.append((message: row["message_id"], text: row["text"]))
        }
        guard limit > 0 else { return work }
        // One row beyond the limit says whether more wait.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, json_extract(content, '$.text') AS text FROM messages WHERE id > ? ORDER BY id LIMIT ?
            """), arguments: [index.indexedUpTo, limit + 1])
        var taken = 0
        while let row = try rows.next() {
            if taken == limit {
                work.more = true
                break
            }
            taken += 1
            let id: Int64 = row["id"]
            work.newUpTo = id
            if let text: String = row["text"] { work.newTexts.append((message: id, text: text)) }
        }
        return work
    }

    /// Writes the step into the index; returns how many indexed entries
    /// the changes replaced or removed. A change to a message not indexed
    /// yet needs nothing: its text is read as it is now when its turn comes.
    func apply(_ db: Database, indexedUpTo: Int64) throws -> Int {
        let delete = try db.cachedStatement(sql: "DELETE FROM message_search WHERE rowid = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO message_search (rowid, text) VALUES (?, ?)")
        var changed = 0
        var seen = Set<Int64>()
        // The last change of a message wins: its text is the current one anyway.
        for change in changes.reversed() where change.message <= indexedUpTo && seen.insert(change.message).inserted {
            try delete.execute(arguments: [change.message])
            changed += db.changesCount
            if let text = change.text { try insert.execute(arguments: [change.message, text]) }
        }
        for entry in newTexts { try insert.execute(arguments: [entry.message, entry.text]) }
        return changed
    }
}
