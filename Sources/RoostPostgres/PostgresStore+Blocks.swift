import PostgresNIO
import RoostProtocol
import RoostStorage

/// Blocks and bans (PROTOCOL.md 9): account settings, not inbox items.
extension PostgresStore {
    public func block(user: Int64, target: Int64) async throws {
        guard user != target else { throw RoostError.badRequest("you cannot block yourself") }
        try await write { db in
            guard try await Self.userExists(db: db, target) else { throw RoostError.notFound("no such user") }
            try await db.run("""
                INSERT INTO blocks (user_id, blocked_id, created_at) VALUES (\(user), \(target), \(nowMillis()))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    public func unblock(user: Int64, target: Int64) async throws {
        try await write { db in
            try await db.run("DELETE FROM blocks WHERE user_id = \(user) AND blocked_id = \(target)")
        }
    }

    public func blockedUsers(of user: Int64) async throws -> [Int64] {
        try await read { db in
            try await db.values("""
                SELECT blocked_id FROM blocks WHERE user_id = \(user) ORDER BY created_at, blocked_id
                """, as: Int64.self)
        }
    }

    public func isBlockedEitherWay(_ a: Int64, _ b: Int64) async throws -> Bool {
        try await read { db in
            try await db.exists("""
                SELECT 1 FROM blocks WHERE (user_id = \(a) AND blocked_id = \(b)) OR (user_id = \(b) AND blocked_id = \(a))
                """)
        }
    }

    public func setBanned(user: Int64, banned: Bool) async throws -> UserAccount? {
        try await write { db in
            if banned {
                try await db.run("UPDATE users SET banned = TRUE, token_version = token_version + 1 WHERE id = \(user)")
                // A banned user's devices get no pushes (PROTOCOL.md 9).
                try await db.run("DELETE FROM push_endpoints WHERE user_id = \(user)")
                try await Self.recordAccountEvent(db: db, user: user, kind: .banned)
            } else {
                try await db.run("UPDATE users SET banned = FALSE WHERE id = \(user)")
            }
            return try await Self.account(db: db, id: user)
        }
    }

}

/// How a node learns of bans and revocations made through another node.
extension PostgresStore: AccountEventLog {
    public func lastAccountEventID() async throws -> Int64 {
        try await read { db in try await db.value("SELECT MAX(id) FROM account_events", as: Int64.self) ?? 0 }
    }

    public func accountEvents(after id: Int64, limit: Int = 500) async throws -> [AccountEvent] {
        try await read { db in
            try await db.rows("""
                SELECT id, user_id, kind, token_version FROM account_events WHERE id > \(id) ORDER BY id LIMIT \(limit)
                """).compactMap { row in
                let (eventID, user, kind, version) = try row.decode((Int64, Int64, String, Int64?).self)
                return AccountEvent.Kind(rawValue: kind).map {
                    AccountEvent(id: eventID, user: user, kind: $0, tokenVersion: version)
                }
            }
        }
    }
}
