import Logging
import RoostCore
import RoostStorage
import RoostPush

/// What `roost serve` is told: where to listen, where the data lives, and
/// every limit. Defaults are those of PROTOCOL.md and the README; every field
/// that an operator sets is a row of `ServerSettings.table`.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port = 8080
    /// Holds `roost.sqlite`, the token secret and `files/`.
    public var dataDirectory = "./data"
    /// `postgres://...`: the store is PostgreSQL (several nodes may share it)
    /// instead of `roost.sqlite` in the data directory.
    public var databaseURL: String?
    /// On PostgreSQL: how often a node records its connected users and reads
    /// their heads (the safety net under NOTIFY, and the directory's refresh).
    public var clusterPollInterval: Duration = .seconds(1)
    public var core = CoreSettings()
    /// Inbound WebSocket frames (and messages) larger than this close with 1009.
    public var maxFrameBytes = 64 * 1024
    /// Negotiate permessage-deflate with clients that offer it (no context
    /// takeover: no per-socket compression window kept between messages). A
    /// message's decompressed size is capped at `maxFrameBytes` (close 1009).
    public var webSocketCompression = false
    /// Origins allowed on `/ws` besides the server's own.
    public var allowedOrigins: Set<String> = []
    /// When set, `/stats` and `/metrics` require this bearer token.
    public var metricsToken: String?
    /// Token signing secret; by default generated once and kept in the data directory.
    public var jwtSecret: String?
    /// `synchronous=FULL` (fsync per commit). Off only for throwaway benchmarks.
    public var durableCommits = true
    /// Directory of the web client; nil serves none.
    public var webRoot: String?
    /// `POST /api/files` bodies larger than this get 413 `too_large`.
    public var maxUploadBytes: Int64 = 25 * 1024 * 1024

    /// A TCP connection must complete its first request (upgrade or HTTP) within this.
    public var handshakeTimeout: Duration = .seconds(10)
    /// HTTP keep-alive connections idle this long are closed.
    public var httpIdleTimeout: Duration = .seconds(60)
    /// How often the server looks for account changes made by the admin CLI
    /// (to close revoked, deleted or banned users' sockets); zero turns it off.
    public var accountEventInterval: Duration = .milliseconds(500)
    /// At shutdown, WebSockets get this long to close with 1001 before the server stops.
    public var drainTimeout: Duration = .seconds(5)
    /// Operations per group-commit transaction.
    public var maxWriteBatch = SQLiteStore.Options().maxBatch
    /// SQLite reader connections.
    public var readers = SQLiteStore.Options().readers
    /// How often the WAL is copied into the database file, off the commit path (SQLite).
    public var checkpointInterval = SQLiteStore.Options().checkpointInterval
    public var walSizeLimit = SQLiteStore.Options().walSizeLimit
    /// How long a new message's text may wait for the full-text index (SQLite; searches index it first).
    public var searchIndexInterval = SQLiteStore.Options().searchIndexInterval
    /// Messages per transaction of the search indexer (SQLite).
    public var searchIndexChunk = SQLiteStore.Options().searchIndexChunk
    /// Writes queued for the writer beyond which new ones are refused (`overloaded`).
    public var maxPendingWrites = SQLiteStore.Options().maxPendingWrites

    /// A second listener serving only `/metrics`, `/stats` and `/health` (for a private network).
    public var metricsListen: ListenAddress?

    /// Read by the command, not the application: logging and the bound on a graceful shutdown.
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    public var shutdownTimeout: Duration = .seconds(15)

    /// Push for offline devices (interval, timeout, bounds, address policy).
    public var push = PushSettings()
    /// `--tls-cert` and `--tls-key`: both set, the port serves HTTPS and WSS
    /// instead of plain HTTP; one without the other refuses to start.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?

    /// The TLS files when both are set.
    public var tls: TLSFiles? {
        get {
            guard let tlsCertificatePath, let tlsKeyPath else { return nil }
            return TLSFiles(certificatePath: tlsCertificatePath, keyPath: tlsKeyPath)
        }
        set {
            tlsCertificatePath = newValue?.certificatePath
            tlsKeyPath = newValue?.keyPath
        }
    }

    public init() {}
}

/// `text` for a terminal, `json` for one object per line (log shippers).
public enum LogFormat: String, Sendable {
    case text
    case json
}
