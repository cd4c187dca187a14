import GRDB
import RoostProtocol

extension SQLiteStore {
    public func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> UserAccount {
        let now = nowMillis()
        return try await writer.write { db, _ in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [username]) == true {
                throw RoostError.conflict("username is taken")
            }
            try db.execute(
                sql: "INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)",
                arguments: [username, passwordHash, isAdmin, now])
            return UserAccount(id: db.lastInsertedRowID, username: username, passwordHash: passwordHash,
                               isAdmin: isAdmin, tokenVersion: 0, createdAt: now)
        }
    }

    public func user(named username: String) async throws -> UserAccount? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE username = ?"), arguments: [username])
                .map(Self.account)
        }
    }

    public func user(id: Int64) async throws -> UserAccount? {
        try await connectionReads.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id])
                .map(Self.account)
        }
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0 }
    }

    public func revokeTokens(user: Int64, newPasswordHash: String?) async throws -> UserAccount? {
        try await writer.write { db, _ in
            if let newPasswordHash {
                try db.execute(sql: "UPDATE users SET token_version = token_version + 1, password_hash = ? WHERE id = ?",
                               arguments: [newPasswordHash, user])
            } else {
                try db.execute(sql: "UPDATE users SET token_version = token_version + 1 WHERE id = ?", arguments: [user])
            }
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [user])
                .map(Self.account)
        }
    }

    static func account(_ row: Row) -> UserAccount {
        UserAccount(id: row["id"], username: row["username"], passwordHash: row["password_hash"],
                    isAdmin: row["is_admin"], tokenVersion: row["token_version"], createdAt: row["created_at"],
                    banned: row["banned"] ?? false)
    }
}
