import Logging
import PostgresNIO

/// A leased connection and the logger its queries log to: what every
/// `PostgresStore` operation is given, in a transaction for writes.
struct Database {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement, rows (if any) discarded.
    func run(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The first column of the first row, nil when there is no row (or it is NULL).
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T?
        where T._DecodableType == T {
        guard let row = try await rows(query).first else { return nil }
        return try row.decode(T?.self)
    }

    /// The first column of every row.
    func values<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        try await rows(query).map { try $0.decode(T.self) }
    }

    func exists(_ query: PostgresQuery) async throws -> Bool {
        try await !rows(query).isEmpty
    }
}

/// SQLSTATEs the store acts on.
enum SQLState {
    static let uniqueViolation = "23505"
    static let serializationFailure = "40001"
    static let deadlockDetected = "40P01"

    static func of(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }
}
