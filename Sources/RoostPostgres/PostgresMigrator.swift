import Logging
import PostgresNIO

/// Applies `PostgresSchema.migrations` that the database has not run, in
/// order, each recorded in `roost_migrations` in the same transaction.
/// Several nodes may start at once: a transaction-scoped advisory lock lets
/// one migrate while the others wait and then find nothing left to do.
enum PostgresMigrator {
    /// Arbitrary, fixed: the advisory lock key of Roost's migrations.
    static let lockKey: Int64 = 0x526F_6F73_744D_6967

    /// Versions applied by this call.
    @discardableResult
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            let db = Database(connection: connection, logger: logger)
            return try await unwrapped {
                try await connection.withTransaction(logger: logger) { _ in
                    try await db.run("SELECT pg_advisory_xact_lock(\(lockKey))")
                    try await db.run("""
                        CREATE TABLE IF NOT EXISTS roost_migrations (
                            version INTEGER PRIMARY KEY,
                            name TEXT NOT NULL,
                            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                        )
                        """)
                    let applied = Set(try await db.values("SELECT version FROM roost_migrations", as: Int.self))
                    var ran: [Int] = []
                    for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                        for statement in migration.statements {
                            try await db.run(PostgresQuery(unsafeSQL: statement))
                        }
                        try await db.run("""
                            INSERT INTO roost_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                            """)
                        logger.info("applied PostgreSQL migration", metadata: ["version": "\(migration.version)",
                                                                             "name": "\(migration.name)"])
                        ran.append(migration.version)
                    }
                    return ran
                }
            }
        }
    }

    /// Names of migrations not applied yet (`roost migrate --check`).
    static func pending(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            let db = Database(connection: connection, logger: logger)
            let exists = try await db.value("SELECT to_regclass('roost_migrations') IS NOT NULL", as: Bool.self) ?? false
            let applied = exists ? Set(try await db.values("SELECT version FROM roost_migrations", as: Int.self)) : []
            return PostgresSchema.migrations.filter { !applied.contains($0.version) }.map { "v\($0.version)-\($0.name)" }
        }
    }
}

/// Runs `body`, replacing postgres-nio's transaction wrapper with the error that caused it.
func unwrapped<T>(_ body: () async throws -> sending T) async throws -> sending T {
    do {
        return try await body()
    } catch let error as PostgresTransactionError {
        throw error.closureError ?? error.commitError ?? error.beginError ?? error
    }
}
