import GRDB
import RoostProtocol

/// What the admin CLI and the admin API do to accounts. Not part of
/// `RoostStore`: only the SQLite backend offers offline administration.
extension SQLiteStore {
    public func allUsers() async throws -> [UserAccount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY id").map(Self.account)
        }
    }

    /// Replaces the password hash and bumps `token_version`, which revokes
    /// every token issued before (JWT `ver` claim).
    public func setPassword(userID: Int64, passwordHash: String) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?",
                           arguments: [passwordHash, userID])
        }
    }

    /// Revokes every token of the user without changing anything else.
    public func revokeTokens(userID: Int64) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "UPDATE users SET token_version = token_version + 1 WHERE id = ?", arguments: [userID])
        }
    }

    /// Removes the account, its devices, its inbox and its idempotency records.
    /// Messages it sent stay in the other side's history.
    public func deleteUser(userID: Int64) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "DELETE FROM inbox WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM sends WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [userID])
        }
    }

    /// Every row of `table` as column name -> text, for tables another
    /// feature owns (`roost group list` prints `groups` whatever its columns).
    /// nil when the table does not exist in this database.
    public func dumpTable(_ table: String) async throws -> (columns: [String], rows: [[String]])? {
        try await pool.read { db in
            guard try db.tableExists(table) else { return nil }
            let columns = try db.columns(in: table).map(\.name)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY 1")
            return (columns, rows.map { row in columns.map { row[$0].map { "\($0.databaseValue)" } ?? "" } })
        }
    }
}
