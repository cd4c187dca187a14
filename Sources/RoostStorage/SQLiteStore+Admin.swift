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
            try Self.recordAccountEvent(db: db, user: userID, kind: .revoked)
        }
    }

    /// Revokes every token of the user without changing anything else.
    public func revokeTokens(userID: Int64) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "UPDATE users SET token_version = token_version + 1 WHERE id = ?", arguments: [userID])
            try Self.recordAccountEvent(db: db, user: userID, kind: .revoked)
        }
    }

    /// Removes the account, its devices, its inbox, its idempotency records,
    /// its blocks and its push endpoints. Messages it sent stay in the other
    /// side's history.
    public func deleteUser(userID: Int64) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "DELETE FROM inbox WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM sends WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM blocks WHERE user_id = ? OR blocked_id = ?", arguments: [userID, userID])
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [userID])
            try Self.recordAccountEvent(db: db, user: userID, kind: .deleted)
        }
    }

    /// Every row of `table` as column name -> text, for tables another
    /// feature owns (`roost group list` prints `groups` whatever its columns).
    /// nil when the table does not exist in this database.
    /// One row per group for `roost group list`: id, name, owner, open flag, member count.
    public func groupSummaries() async throws -> [(id: Int64, name: String, owner: Int64, open: Bool, members: Int)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT g.id, g.name, g.owner_id, g.open,
                       (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members
                FROM groups g ORDER BY g.id
                """).map { row in (id: row["id"], name: row["name"], owner: row["owner_id"], open: row["open"], members: row["members"]) }
        }
    }
}
