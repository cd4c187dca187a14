import GRDB
import RoostProtocol

/// A change to an account that must close its open sockets, as recorded for
/// the server process: the admin CLI writes the data directory directly, and
/// only the server holds the sockets.
public struct AccountEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Tokens revoked (password set, revoke): sockets on older tokens close.
        case revoked
        case deleted
        case banned
    }

    public let id: Int64
    public let user: Int64
    public let kind: Kind
    /// The account's token version after the change (nil once deleted).
    public let tokenVersion: Int64?

    public init(id: Int64, user: Int64, kind: Kind, tokenVersion: Int64?) {
        self.id = id
        self.user = user
        self.kind = kind
        self.tokenVersion = tokenVersion
    }
}

/// Where a server reads account changes made elsewhere: by the admin CLI on
/// the SQLite data directory, or by another node on a shared PostgreSQL.
public protocol AccountEventLog: Sendable {
    /// Events after `id`, oldest first.
    func accountEvents(after id: Int64, limit: Int) async throws -> [AccountEvent]
    /// The newest event id (0 if none): a starting server has no sockets from before.
    func lastAccountEventID() async throws -> Int64
}

extension SQLiteStore: AccountEventLog {}

extension SQLiteStore {
    static func recordAccountEvent(db: Database, user: Int64, kind: AccountEvent.Kind) throws {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "SELECT token_version FROM users WHERE id = ?"),
                                         arguments: [user])
        try db.cachedStatement(sql: "INSERT INTO account_events (user_id, kind, token_version, created_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [user, kind.rawValue, version, nowMillis()])
        // A day of events is plenty for a poller that runs every second.
        try db.cachedStatement(sql: "DELETE FROM account_events WHERE created_at < ?")
            .execute(arguments: [nowMillis() - 86_400_000])
    }

    /// Events after `id`, oldest first.
    public func accountEvents(after id: Int64, limit: Int = 500) async throws -> [AccountEvent] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, user_id, kind, token_version FROM account_events WHERE id > ? ORDER BY id LIMIT ?
                """), arguments: [id, limit]).compactMap { row in
                guard let kind = AccountEvent.Kind(rawValue: row["kind"]) else { return nil }
                return AccountEvent(id: row["id"], user: row["user_id"], kind: kind, tokenVersion: row["token_version"])
            }
        }
    }

    /// The newest event id (0 if none): a starting server has no sockets from before.
    public func lastAccountEventID() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM account_events") ?? 0
        }
    }
}
