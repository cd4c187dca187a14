import PostgresNIO
import RoostProtocol
import RoostStorage

extension PostgresStore {
    nonisolated(nonsending) public func head(of user: Int64) async throws -> Int64 {
        try await read { db in try await db.value("SELECT seq FROM heads WHERE user_id = \(user)", as: Int64.self) ?? 0 }
    }

    nonisolated(nonsending) public func cursor(user: Int64, device: String) async throws -> Int64 {
        if let pending = cursors.pending(user: user, device: device) { return pending }
        return try await read { db in
            try await db.value("SELECT acked_seq FROM devices WHERE user_id = \(user) AND name = \(device)",
                               as: Int64.self) ?? 0
        }
    }

    /// One round trip instead of four: the token version, head, cursor and
    /// presence contacts a starting session needs, in one statement.
    nonisolated(nonsending) public func sessionStart(user: Int64, device: String) async throws -> SessionStart {
        let pending = cursors.pending(user: user, device: device)
        var binds = PostgresBindings()
        binds.append(user)
        binds.append(device)
        let sql = """
            SELECT (SELECT token_version FROM users WHERE id = $1),
                   COALESCE((SELECT seq FROM heads WHERE user_id = $1), 0),
                   COALESCE((SELECT acked_seq FROM devices WHERE user_id = $1 AND name = $2), 0),
                   ARRAY(\(Self.contactsSQL))
            """
        return try await read { db in
            guard let row = try await db.rows(PostgresQuery(unsafeSQL: sql, binds: binds)).first else {
                throw RoostError.internal()   // a SELECT without FROM returns one row
            }
            let (tokenVersion, head, cursor, contacts) = try row.decode((Int64?, Int64, Int64, [Int64]).self)
            return SessionStart(tokenVersion: tokenVersion, head: head, cursor: pending ?? cursor, contacts: contacts)
        }
    }

    public func setCursor(user: Int64, device: String, to seq: Int64) {
        cursors.set(user: user, device: device, to: seq)
    }

    nonisolated(nonsending) public func items(user: Int64, after: Int64, limit: Int) async throws -> [InboxItem] {
        try await read { db in
            try await db.rows("""
                SELECT i.seq, i.type, i.payload, i.created_at, \(unescaped: Self.messageColumns(prefix: "m."))
                FROM inbox i LEFT JOIN messages m ON m.id = i.message_id
                WHERE i.user_id = \(user) AND i.seq > \(after)
                ORDER BY i.seq
                LIMIT \(limit)
                """).map { row in
                let (seq, type, payload, createdAt) = try row.decode((Int64, String, String?, Int64).self)
                return InboxRow(seq: seq, type: type, payload: payload, createdAt: createdAt,
                                message: try Self.optionalMessageRow(row, from: 4)).item(for: user)
            }
        }
    }
}
