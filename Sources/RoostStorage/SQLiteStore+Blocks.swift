import GRDB
import RoostProtocol

/// Blocks and bans (PROTOCOL.md 9): account settings, not inbox items.
extension SQLiteStore {
    public func block(user: Int64, target: Int64) async throws {
        guard user != target else { throw RoostError.badRequest("you cannot block yourself") }
        try await writer.write { db, _ in
            guard try Self.userExists(db, target) else { throw RoostError.notFound("no such user") }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blocks (user_id, blocked_id, created_at) VALUES (?, ?, ?)")
                .execute(arguments: [user, target, nowMillis()])
        }
    }

    public func unblock(user: Int64, target: Int64) async throws {
        try await writer.write { db, _ in
            try db.cachedStatement(sql: "DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?").execute(arguments: [user, target])
        }
    }

    public func blockedUsers(of user: Int64) async throws -> [Int64] {
        try await pool.read { db in
            try Int64.fetchAll(db.cachedStatement(sql: "SELECT blocked_id FROM blocks WHERE user_id = ? ORDER BY created_at, blocked_id"),
                               arguments: [user])
        }
    }

    public func isBlockedEitherWay(_ a: Int64, _ b: Int64) async throws -> Bool {
        try await pool.read { db in
            try Self.blocks(db: db, a, b) || Self.blocks(db: db, b, a)
        }
    }

    public func setBanned(user: Int64, banned: Bool) async throws -> UserAccount? {
        try await writer.write { db, _ in
            if banned {
                try db.execute(sql: "UPDATE users SET banned = 1, token_version = token_version + 1 WHERE id = ?",
                               arguments: [user])
                // A banned user's devices get no pushes (PROTOCOL.md 9).
                try db.execute(sql: "DELETE FROM push_endpoints WHERE user_id = ?", arguments: [user])
                try Self.recordAccountEvent(db: db, user: user, kind: .banned)
            } else {
                try db.execute(sql: "UPDATE users SET banned = 0 WHERE id = ?", arguments: [user])
            }
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [user])
                .map(Self.account)
        }
    }
}
