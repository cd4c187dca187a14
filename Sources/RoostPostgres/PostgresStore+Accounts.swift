import PostgresNIO
import RoostProtocol
import RoostStorage

extension PostgresStore {
    public func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> UserAccount {
        let now = nowMillis()
        do {
            return try await write { db in
                guard let id = try await db.value("""
                    INSERT INTO users (username, password_hash, is_admin, created_at)
                    VALUES (\(username), \(passwordHash), \(isAdmin), \(now))
                    ON CONFLICT (username) DO NOTHING RETURNING id
                    """, as: Int64.self) else {
                    throw RoostError.conflict("username is taken")
                }
                try await db.run("INSERT INTO heads (user_id, seq) VALUES (\(id), 0)")
                return UserAccount(id: id, username: username, passwordHash: passwordHash, isAdmin: isAdmin,
                                   tokenVersion: 0, createdAt: now)
            }
        } catch let error where SQLState.of(error) == SQLState.uniqueViolation {
            throw RoostError.conflict("username is taken")
        }
    }

    public func user(named username: String) async throws -> UserAccount? {
        try await read { db in
            try await db.rows("""
                SELECT id, username, password_hash, is_admin, token_version, created_at, banned
                FROM users WHERE username = \(username)
                """).first.map(Self.account)
        }
    }

    public func user(id: Int64) async throws -> UserAccount? {
        try await read { db in try await Self.account(db: db, id: id) }
    }

    public func userCount() async throws -> Int {
        try await read { db in try await db.value("SELECT COUNT(*) FROM users", as: Int.self) ?? 0 }
    }

    public func revokeTokens(user: Int64, newPasswordHash: String?) async throws -> UserAccount? {
        try await write { db in
            if let newPasswordHash {
                try await db.run("""
                    UPDATE users SET token_version = token_version + 1, password_hash = \(newPasswordHash)
                    WHERE id = \(user)
                    """)
            } else {
                try await db.run("UPDATE users SET token_version = token_version + 1 WHERE id = \(user)")
            }
            // Sockets on other nodes close too (their account event watchers read this).
            try await Self.recordAccountEvent(db: db, user: user, kind: .revoked)
            return try await Self.account(db: db, id: user)
        }
    }

    static func account(db: Database, id: Int64) async throws -> UserAccount? {
        try await db.rows("""
            SELECT id, username, password_hash, is_admin, token_version, created_at, banned FROM users WHERE id = \(id)
            """).first.map(account)
    }

    static func account(_ row: PostgresRow) throws -> UserAccount {
        let (id, username, hash, isAdmin, version, createdAt, banned) =
            try row.decode((Int64, String, String, Bool, Int64, Int64, Bool).self)
        return UserAccount(id: id, username: username, passwordHash: hash, isAdmin: isAdmin, tokenVersion: version,
                           createdAt: createdAt, banned: banned)
    }

    static func userExists(db: Database, _ user: Int64) async throws -> Bool {
        try await db.exists("SELECT 1 FROM users WHERE id = \(user)")
    }

    /// Records a change that every node must act on (close the account's sockets).
    static func recordAccountEvent(db: Database, user: Int64, kind: AccountEvent.Kind) async throws {
        let now = nowMillis()
        try await db.run("""
            INSERT INTO account_events (user_id, kind, token_version, created_at)
            SELECT \(user), \(kind.rawValue), (SELECT token_version FROM users WHERE id = \(user)), \(now)
            """)
        // A day of events is plenty for pollers that run every second.
        try await db.run("DELETE FROM account_events WHERE created_at < \(now - 86_400_000)")
    }
}
