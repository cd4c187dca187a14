import GRDB

/// Checks an operator (or the crash test) runs on a database file.
extension SQLiteStore {
    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, else SQLite's findings.
    public func integrityCheck() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
