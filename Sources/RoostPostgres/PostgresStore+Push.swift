import PostgresNIO
import RoostProtocol
import RoostStorage

/// Push endpoints on PostgreSQL, with the same rules as SQLite's: at most
/// `maxPerUser` devices per user, a replaced endpoint kept only if unchanged.
extension PostgresStore {
    public func setPushEndpoint(user: Int64, device: String, endpoint: String,
                                maxPerUser: Int) async throws -> PushRegistration {
        let now = nowMillis()
        return try await write { db in
            let others = try await db.value("""
                SELECT COUNT(*) FROM push_endpoints WHERE user_id = \(user) AND device <> \(device)
                """, as: Int64.self) ?? 0
            guard others < Int64(maxPerUser) else {
                throw RoostError.conflict("at most \(maxPerUser) devices may register a push endpoint")
            }
            try await db.run("""
                INSERT INTO push_endpoints (user_id, device, endpoint, updated_at) VALUES (\(user), \(device), \(endpoint), \(now))
                ON CONFLICT (user_id, device) DO UPDATE SET endpoint = EXCLUDED.endpoint, updated_at = EXCLUDED.updated_at
                """)
            return PushRegistration(user: user, device: device, endpoint: endpoint, updatedAt: now)
        }
    }

    @discardableResult
    public func removePushEndpoint(user: Int64, device: String) async throws -> Bool {
        try await write { db in
            try await db.exists("""
                DELETE FROM push_endpoints WHERE user_id = \(user) AND device = \(device) RETURNING 1
                """)
        }
    }

    public func removePushEndpoint(user: Int64, device: String, ifStill endpoint: String) async throws {
        try await write { db in
            try await db.run("""
                DELETE FROM push_endpoints WHERE user_id = \(user) AND device = \(device) AND endpoint = \(endpoint)
                """)
        }
    }

    public func removePushEndpoints(user: Int64) async throws {
        try await write { db in
            try await db.run("DELETE FROM push_endpoints WHERE user_id = \(user)")
        }
    }

    public func pushEndpoints(user: Int64) async throws -> [PushRegistration] {
        try await read { db in
            try await db.rows("""
                SELECT device, endpoint, updated_at FROM push_endpoints WHERE user_id = \(user) ORDER BY device
                """).map { row in
                let (device, endpoint, updatedAt) = try row.decode((String, String, Int64).self)
                return PushRegistration(user: user, device: device, endpoint: endpoint, updatedAt: updatedAt)
            }
        }
    }

    public func usersWithPushEndpoints() async throws -> [Int64] {
        try await read { db in
            try await db.values("SELECT DISTINCT user_id FROM push_endpoints", as: Int64.self)
        }
    }

    /// Unread summed over every conversation, as the conversation list counts it.
    public func pushCounters(user: Int64) async throws -> PushCounters {
        let head = try await head(of: user)
        let unread = try await read { db -> Int in
            var keys = try await db.values("SELECT peer_id FROM direct_conversations WHERE user_id = \(user)",
                                           as: Int64.self).map { ConversationKeys.direct(user, $0) }
            keys += try await Self.groupsOf(db: db, user: user).map { ConversationKeys.group($0.group) }
            var total = 0
            for key in keys {
                let position = try await Self.readPosition(db: db, user: user, key: key)
                total += try await Self.unread(db: db, user: user, key: key, position: position)
            }
            return total
        }
        return PushCounters(headSeq: head, unread: unread)
    }
}
