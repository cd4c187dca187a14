import Foundation
import Logging
import PostgresNIO
@testable import RoostPostgres
import RoostProtocol
@testable import RoostStorage
import Testing

/// The storage backends every behavioural test runs against. SQLite always;
/// PostgreSQL when `ROOST_TEST_POSTGRES_URL` names a server the tests may
/// create and drop databases on (`make test-postgres` starts a throwaway one).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static let postgresURL: String? = {
        let url = ProcessInfo.processInfo.environment["ROOST_TEST_POSTGRES_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    /// The backends this run can test: PostgreSQL only with a server.
    static var available: [Backend] { postgresURL == nil ? [.sqlite] : allCases }

    var testDescription: String { rawValue }

    /// Warnings and worse: migrations and node claims would flood the test output.
    static let logger: Logger = {
        var logger = Logger(label: "roost.storage.test")
        logger.logLevel = .warning
        return logger
    }()

    /// A new, empty store of this kind.
    func open() async throws -> TestStore {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("roost-\(UUID().uuidString).sqlite").path
            return TestStore(backend: self, location: path, store: try SQLiteStore(path: path))
        case .postgres:
            let url = try #require(Self.postgresURL)
            let name = "roost_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            try await PostgresAdmin.run(url: url, "CREATE DATABASE \(name)")
            let databaseURL = try PostgresAdmin.url(url, database: name)
            return TestStore(backend: self, location: databaseURL, store: try await PostgresStore.open(url: databaseURL, logger: Backend.logger))
        }
    }
}

/// A store under test, its backend's extras (reopening, counting rows) and its cleanup.
struct TestStore: Sendable {
    let backend: Backend
    /// The SQLite file or the PostgreSQL database URL.
    let location: String
    let store: any RoostStore

    /// Closes the store and opens the same database again.
    func reopened() async throws -> TestStore {
        try await store.close()
        switch backend {
        case .sqlite: return TestStore(backend: backend, location: location, store: try SQLiteStore(path: location))
        case .postgres:
            return TestStore(backend: backend, location: location, store: try await PostgresStore.open(url: location, logger: Backend.logger))
        }
    }

    /// Rows of `table` matching `condition` (trusted SQL, tests only).
    func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
        let sql = "SELECT COUNT(*) FROM \(table) WHERE \(condition)"
        switch store {
        case let sqlite as SQLiteStore:
            return try await sqlite.pool.read { db in
                try Int.fetchOne(db, sql: sql) ?? 0
            }
        case let postgres as PostgresStore:
            return try await postgres.read { db in try await db.value(PostgresQuery(unsafeSQL: sql), as: Int.self) ?? 0 }
        default:
            Issue.record("unknown store")
            return 0
        }
    }

    /// Closes the store and deletes its database.
    func close() async throws {
        try await store.close()
        switch backend {
        case .sqlite:
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: location + suffix) }
        case .postgres:
            let name = String(location.split(separator: "/").last!.split(separator: "?").first!)
            try await PostgresAdmin.run(url: try #require(Backend.postgresURL), "DROP DATABASE \(name) WITH (FORCE)")
        }
    }

    /// Users named user0, user1, ...
    func users(_ count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        for i in 0..<count {
            ids.append(try await store.createUser(username: "user\(i)", passwordHash: "x", isAdmin: false).id)
        }
        return ids
    }
}

/// Creating and dropping the throwaway databases of the PostgreSQL variants.
enum PostgresAdmin {
    static func run(url: String, _ sql: String) async throws {
        let client = PostgresClient(configuration: try PostgresURL(url).configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// `url` with its database replaced by `database`.
    static func url(_ url: String, database: String) throws -> String {
        var components = try #require(URLComponents(string: url))
        components.path = "/" + database
        return try #require(components.string)
    }
}

/// Says in the test output when the PostgreSQL variants did not run.
@Suite("Storage backends")
struct BackendAvailabilityTests {
    @Test(.disabled(if: Backend.postgresURL == nil,
                    "ROOST_TEST_POSTGRES_URL is not set: the PostgreSQL variants of the storage suite are skipped (make test-postgres runs them)"))
    func postgresVariantsRun() async throws {
        let store = try await Backend.postgres.open()
        #expect(try await store.store.userCount() == 0)
        try await store.close()
    }
}
