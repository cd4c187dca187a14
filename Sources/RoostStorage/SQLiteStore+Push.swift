import GRDB
import RoostProtocol

/// Push endpoints in SQLite. Writes go through the group-commit writer like
/// every other write; reads are plain pool reads (the worker reads per push).
extension SQLiteStore {
    public func setPushEndpoint(user: Int64, device: String, endpoint: String,
                                maxPerUser: Int) async throws -> PushRegistration {
        let now = nowMillis()
        return try await writer.write { db, _ in
            let others = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM push_endpoints WHERE user_id = ? AND device <> ?
                """), arguments: [user, device]) ?? 0
            guard others < maxPerUser else {
                throw RoostError.conflict("at most \(maxPerUser) devices may register a push endpoint")
            }
            try db.cachedStatement(sql: """
                INSERT INTO push_endpoints (user_id, device, endpoint, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, device) DO UPDATE SET endpoint = excluded.endpoint, updated_at = excluded.updated_at
                """).execute(arguments: [user, device, endpoint, now])
            return PushRegistration(user: user, device: device, endpoint: endpoint, updatedAt: now)
        }
    }

    @discardableResult
    public func removePushEndpoint(user: Int64, device: String) async throws -> Bool {
        try await writer.write { db, _ in
            try db.execute(sql: "DELETE FROM push_endpoints WHERE user_id = ? AND device = ?", arguments: [user, device])
            return db.changesCount > 0
        }
    }

    public func removePushEndpoint(user: Int64, device: String, ifStill endpoint: String) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "DELETE FROM push_endpoints WHERE user_id = ? AND device = ? AND endpoint = ?",
                           arguments: [user, device, endpoint])
        }
    }

    public func removePushEndpoints(user: Int64) async throws {
        try await writer.write { db, _ in
            try db.execute(sql: "DELETE FROM push_endpoints WHERE user_id = ?", arguments: [user])
        }
    }

    public func pushEndpoints(user: Int64) async throws -> [PushRegistration] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT device, endpoint, updated_at FROM push_endpoints WHERE user_id = ? ORDER BY device
                """), arguments: [user]).map { row in
                PushRegistration(user: user, device: row["device"], endpoint: row["endpoint"], updatedAt: row["updated_at"])
            }
        }
    }

    public func usersWithPushEndpoints() async throws -> [Int64] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT user_id FROM push_endpoints")
        }
    }

    /// Unread is counted per conversation exactly as the conversation list
    /// does (same query, same read positions), over all of them, not one page.
    public func pushCounters(user: Int64) async throws -> PushCounters {
        let head = try await head(of: user)
        let unread = try await pool.read { db -> Int in
            var keys = try Int64.fetchAll(db.cachedStatement(sql: "SELECT peer_id FROM direct_conversations WHERE user_id = ?"),
                                          arguments: [user]).map { Self.directKey(user, $0) }
            keys += try Self.groupsOf(db: db, user: user).map { "g:\($0.group)" }
            return try keys.reduce(0) { $0 + (try Self.unread(db: db, user: user, key: $1, position: Self.readPosition(db: db, user: user, key: $1))) }
        }
        return PushCounters(headSeq: head, unread: unread)
    }
}
