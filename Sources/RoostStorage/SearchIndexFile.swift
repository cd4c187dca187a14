import Foundation
import GRDB

/// The full-text index's own SQLite file beside the database
/// (`roost.sqlite` -> `roost.search.sqlite`). It holds only what can be
/// derived from `messages`, so it is never backed up: a file that is
/// missing, belongs to another epoch (a restore), or has indexed further
/// than the database it sits beside (a file copied back by hand) is
/// replaced by an empty one, which the indexer fills from the messages.
enum SearchIndexFile {
    static func path(beside database: String) -> String {
        database.hasSuffix(".sqlite") ? String(database.dropLast(".sqlite".count)) + ".search.sqlite"
            : database + ".search"
    }

    /// Opens the index of the database `main` (epoch `epoch`) at `path`.
    /// Reader connections attach the database as `chat`, so that a search
    /// joins its hits with `messages` and memberships in one query; the
    /// writer connection touches this file only.
    static func open(path: String, beside main: DatabasePool, mainPath: String, epoch: String,
                     busyTimeoutSeconds: Double) throws -> DatabasePool {
        let (lastMessage, lastChange) = try main.read { db in
            (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM messages") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM search_changes") ?? 0)
        }
        if let pool = try? openPool(path: path, mainPath: mainPath, busyTimeoutSeconds: busyTimeoutSeconds) {
            let state = try? pool.read { db in try SearchIndexState.read(db) }
            if let state, state.matches(epoch: epoch, lastMessage: lastMessage, lastChange: lastChange) {
                return pool
            }
            try? pool.close()
        }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        let pool = try openPool(path: path, mainPath: mainPath, busyTimeoutSeconds: busyTimeoutSeconds)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE search_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    epoch TEXT NOT NULL,
                    -- Every message with an id up to here has its text in the index.
                    indexed_up_to INTEGER NOT NULL,
                    -- search_changes (in the database) applied up to this seq.
                    applied_change INTEGER NOT NULL
                );
                CREATE VIRTUAL TABLE message_search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
                """)
            try db.execute(sql: "INSERT INTO search_state (id, epoch, indexed_up_to, applied_change) VALUES (1, ?, 0, 0)",
                           arguments: [epoch])
        }
        return pool
    }

    private static func openPool(path: String, mainPath: String, busyTimeoutSeconds: Double) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.maximumReaderCount = 2
        config.prepareDatabase { db in
            // Derived data: a crash may lose the last steps, never the
            // file's consistency, and the indexer redoes them from its state.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A recalled text must not survive in freed page space here either.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            if db.configuration.readonly {
                try db.execute(sql: "ATTACH DATABASE ? AS chat", arguments: [mainPath])
            }
        }
        return try DatabasePool(path: path, configuration: config)
    }
}

/// The index file's one row of bookkeeping.
struct SearchIndexState {
    var epoch: String
    var indexedUpTo: Int64
    var appliedChange: Int64

    /// Whether this index belongs to the database as it is: same epoch, and
    /// nothing indexed or applied that the database does not have.
    func matches(epoch: String, lastMessage: Int64, lastChange: Int64) -> Bool {
        self.epoch == epoch && indexedUpTo <= lastMessage && appliedChange <= lastChange
    }

    static func read(_ db: Database) throws -> SearchIndexState? {
        guard try db.tableExists("search_state") else { return nil }
        return try Row.fetchOne(db, sql: "SELECT epoch, indexed_up_to, applied_change FROM search_state WHERE id = 1")
            .map { SearchIndexState(epoch: $0["epoch"], indexedUpTo: $0["indexed_up_to"], appliedChange: $0["applied_change"]) }
    }
}
