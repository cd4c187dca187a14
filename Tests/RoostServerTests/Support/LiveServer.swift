import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RoostClient
import PostgresNIO
import RoostCore
import RoostPostgres
import RoostServer
import RoostStorage

/// A Roost server started in-process on a free port of 127.0.0.1, with a data
/// directory of its own, for tests that speak to it over real sockets.
struct LiveServer: Sendable {
    let port: Int
    let dataDirectory: String
    let services: RoostServices

    var http: RoostHTTP { RoostHTTP(baseURL: "http://127.0.0.1:\(port)") }

    /// Settings fast enough for tests: cheap bcrypt, short retry interval.
    static func testSettings(dataDirectory: String) -> ServerSettings {
        var settings = ServerSettings()
        settings.host = "127.0.0.1"
        settings.port = 0
        settings.dataDirectory = dataDirectory
        settings.core.bcryptCost = 4
        settings.core.retryInterval = .milliseconds(500)
        // Every test comes from 127.0.0.1: per-IP limits are for the rate limit tests to set.
        settings.core.rates = .unlimited
        return settings
    }

    /// Runs `body` against a live server; `configure` adjusts the test settings.
    /// Pass `dataDirectory` to reuse one across runs (restart tests).
    static func run<T: Sendable>(
        dataDirectory: String? = nil,
        configure: (inout ServerSettings) -> Void = { _ in },
        _ body: @Sendable (LiveServer) async throws -> T
    ) async throws -> T {
        let directory = dataDirectory ?? TempDirectory.make()
        var settings = testSettings(dataDirectory: directory)
        settings.databaseURL = try await ServerTestDatabase.url(for: directory)
        configure(&settings)
        var logger = Logger(label: "roost.test")
        logger.logLevel = ProcessInfo.processInfo.environment["ROOST_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        // A restart on the same directory may overlap the previous server's
        // last moments (its store closes, then it releases the data lock).
        var attempt = 0
        var built: RoostApplication?
        while built == nil {
            do {
                built = try await buildApplication(settings, logger: logger)
            } catch is DataDirectoryLock.LockError where attempt < 50 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let app = built!
        let services = app.services
        return try await app.application.test(.live) { client in
            try await body(LiveServer(port: client.port!, dataDirectory: directory, services: services))
        }
    }
}

/// `ROOST_TEST_SERVER_POSTGRES_URL` runs the live-server tests on PostgreSQL:
/// one new database per data directory (a restart test reuses its directory,
/// so its database too). For a throwaway cluster only: nothing is dropped.
enum ServerTestDatabase {
    static let baseURL: String? = {
        let url = ProcessInfo.processInfo.environment["ROOST_TEST_SERVER_POSTGRES_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    static func url(for directory: String) async throws -> String? {
        guard let baseURL else { return nil }
        let marker = URL(fileURLWithPath: directory).appendingPathComponent("postgres-database").path
        if let existing = try? String(contentsOfFile: marker, encoding: .utf8) { return existing }
        let name = "roost_srv_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let client = PostgresClient(configuration: try PostgresURL(baseURL).configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        var components = URLComponents(string: baseURL)!
        components.path = "/" + name
        let url = components.string!
        try url.write(toFile: marker, atomically: true, encoding: .utf8)
        return url
    }
}

enum TempDirectory {
    /// A new empty directory under the system temp directory.
    static func make() -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("roost-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
