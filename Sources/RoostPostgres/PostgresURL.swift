import Foundation
import NIOSSL
import PostgresNIO

/// `roost serve --database postgres://user:password@host:port/db?sslmode=...`
/// as a `PostgresClient.Configuration`. postgres-nio takes parts, not URLs;
/// this reads the usual libpq URL form. `host=/dir` in the query selects a unix
/// socket (`/dir/.s.PGSQL.<port>`), as libpq does.
public struct PostgresURL: Sendable {
    public enum Invalid: Error, CustomStringConvertible {
        case notAURL(String)
        case scheme(String)
        case sslmode(String)

        public var description: String {
            switch self {
            case .notAURL: "the database URL is not a URL (postgres://user:password@host:port/database)"
            case .scheme(let scheme): "the database URL must start with postgres:// or postgresql://, not \(scheme)://"
            case .sslmode(let mode): "sslmode=\(mode) is not supported here: use disable, prefer or require"
            }
        }
    }

    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for logs.
    public let redacted: String

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string), let scheme = components.scheme else {
            throw Invalid.notAURL(string)
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw Invalid.scheme(scheme) }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let user = components.user?.removingPercentEncoding ?? query["user"] ?? "postgres"
        let password = components.password?.removingPercentEncoding ?? query["password"]
        var database = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding
        if database?.isEmpty ?? true { database = query["dbname"] }
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432

        var configuration: PostgresClient.Configuration
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user,
                                  password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer(.makeClientConfiguration())
            case "require": tls = .require(.makeClientConfiguration())
            case let other: throw Invalid.sslmode(other)
            }
            configuration = .init(host: components.host ?? "localhost", port: port, username: user,
                                  password: password, database: database, tls: tls)
        }
        self.configuration = configuration
        var shown = components
        if shown.password != nil { shown.password = "***" }
        self.redacted = shown.string ?? "postgres://"
    }
}
