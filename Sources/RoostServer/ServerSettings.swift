import RoostCore

/// What `roost serve` is told: where to listen, where the data lives, and
/// every limit. Defaults are those of PROTOCOL.md and the README.
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

    public init() {}
}
