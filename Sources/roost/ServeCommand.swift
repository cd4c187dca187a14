import ArgumentParser
import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostServer

/// `roost serve`: runs the server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Roost server.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Data directory (holds roost.sqlite, the token secret and uploaded files).") var data = "./data"
    @Option(help: "PostgreSQL URL (postgres://user:password@host:port/db?sslmode=disable): store everything but files and the token secret there, for several nodes (docs/scaling.md). Default: SQLite in --data.")
    var database: String?
    @Option(help: "Seconds before an unacked pushed item is pushed again.") var retryInterval: Double = 5
    @Option(help: "Pushes of one item (the first included) before the connection is closed with 4410.")
    var retryAttempts = 5
    @Option(help: "Unacked items in flight per connection.") var pushWindow = 256
    @Option(help: "Seconds without inbound traffic before a connection is closed with 4408.")
    var idleTimeout: Double = 90
    @Option(help: "Largest inbound WebSocket frame in bytes (close 1009 above).") var maxFrameBytes = 64 * 1024
    @Option(help: "Largest message text in UTF-8 bytes.") var maxTextBytes = 16 * 1024
    @Option(help: "Frames queued for one slow connection before it is closed.") var maxOutboundQueue = 4_096
    @Option(help: "bcrypt cost for password hashes (4-31).") var bcryptCost: UInt8 = 12
    @Option(help: "Token lifetime in seconds.") var tokenLifetime = 7 * 24 * 3600
    @Option(help: "Members of one group at most (adding beyond is a conflict).") var groupMemberCap = 2_000
    @Option(help: "Seconds the last device must stay disconnected before contacts see offline.")
    var presenceDebounce: Double = 2
    @Option(name: .customLong("allow-origin"), help: "An Origin allowed on /ws besides the server's own (repeatable).")
    var allowedOrigins: [String] = []
    @Option(help: "Bearer token required by /stats and /metrics (default: public).") var metricsToken: String?
    @Option(help: "Token signing secret (default: generated once, kept in the data directory).")
    var jwtSecret: String?
    @Flag(help: "Do not fsync each commit (faster, loses the last commits on power loss). For benchmarks only.")
    var noFsync = false
    @Option(help: "Largest file upload in bytes (413 above).") var maxUploadBytes: Int64 = 25 * 1024 * 1024
    @Option(help: "Seconds after sending during which a sender may recall a message.") var recallWindow: Double = 120
    @Option(help: "Groups with more members than this get no read receipts fanned out.")
    var groupReadReceiptCap = 100
    @Option(help: "Log format: text (for a terminal) or json (one object per line, for log shippers).")
    var logFormat = "text"
    @Option(help: "Seconds a shutdown may take before what is left is cancelled.") var shutdownTimeout: Double = 15
    @Option(help: "Directory of the web client served at / (default: Resources/web found next to the working directory, the binary or the sources; \"\" serves none).")
    var webRoot: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "Devices of one user connected at once (a further device is refused with 409).") var maxDevices = 10
    @Option(help: "WebSocket connections open at once on the server (further upgrades get 429).")
    var maxConnections = 50_000
    @Option(help: "Seconds a connection opened without a token has to send login (else close 4401).")
    var loginTimeout: Double = 10
    @Option(help: "Seconds a TCP connection has to complete its first request (upgrade or HTTP).")
    var handshakeTimeout: Double = 10
    // Rate limits: N/s, N/min, N/h, N/<k>s (a burst of N, refilled N per period) or off.
    @Option(help: "send_message per user.") var rateMessages = RateSettings().messages.description
    @Option(help: "Requests per WebSocket connection.") var rateRequests = RateSettings().requests.description
    @Option(help: "HTTP /api requests per client IP and per user.") var rateHttp = RateSettings().http.description
    @Option(help: "Login attempts per account name.") var rateLoginsAccount = RateSettings().loginsPerAccount.description
    @Option(help: "Login attempts per client IP.") var rateLoginsIp = RateSettings().loginsPerIP.description
    @Option(help: "Extra attempts a failed login costs (per account and IP).")
    var rateFailedLoginCost = RateSettings().failedLoginCost
    @Option(help: "Registrations per client IP.") var rateRegistrationsIp = RateSettings().registrationsPerIP.description
    @Option(help: "New WebSocket connections per user.") var rateConnectionsUser = RateSettings().connectionsPerUser.description
    @Option(help: "New WebSocket connections per client IP.") var rateConnectionsIp = RateSettings().connectionsPerIP.description
    @Flag(help: "Turn every rate limit off (load tests from one address).") var noRateLimits = false
    @Flag(help: "Apply per-IP limits to loopback peers too (off: local proxies and tools share 127.0.0.1).")
    var rateLimitLoopback = false
    @Option(help: "Rate-limited requests (refilled 1/s) before a connection is closed with 1008.")
    var rateAbuseStrikes = RateSettings().abuseStrikes
    @Option(help: "Seconds after sending during which a sender may edit a message.") var editWindow: Double = 24 * 3600
    @Option(help: "Distinct reactions one user may have on one message.") var maxReactionsPerUser = 20
    @Option(help: "Seconds between checks for account changes made by `roost user` (0: off).")
    var accountEventInterval: Double = 0.5
    @Flag(help: "Offer permessage-deflate on WebSockets (decompressed messages capped at --max-frame-bytes).")
    var wsCompression = false

    func validate() throws {
        guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be 4...31") }
        guard groupMemberCap >= 1, presenceDebounce >= 0 else {
            throw ValidationError("--group-member-cap must be positive, --presence-debounce not negative")
        }
        guard retryInterval > 0, idleTimeout > 0 else { throw ValidationError("intervals must be positive") }
        guard retryAttempts >= 1, pushWindow >= 1, maxFrameBytes >= 1024, maxTextBytes >= 1 else {
            throw ValidationError("limits must be positive (--max-frame-bytes at least 1024)")
        }
        guard editWindow >= 0, maxReactionsPerUser >= 1, accountEventInterval >= 0 else {
            throw ValidationError("--edit-window and --account-event-interval must not be negative, --max-reactions-per-user positive")
        }
        guard maxUploadBytes >= 1, recallWindow >= 0, groupReadReceiptCap >= 0 else {
            throw ValidationError("--max-upload-bytes must be positive, --recall-window and --group-read-receipt-cap not negative")
        }
        guard maxDevices >= 1, maxConnections >= 1, loginTimeout > 0, handshakeTimeout > 0, rateFailedLoginCost >= 0, rateAbuseStrikes >= 1 else {
            throw ValidationError("--max-devices, --max-connections, --login-timeout and --rate-abuse-strikes must be positive")
        }
        _ = try rates
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard ["json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be json or text") }
        if let database {
            do { _ = try PostgresURL(database) } catch { throw ValidationError("--database: \(error)") }
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "roost")
        let app = try await buildApplication(settings, logger: logger) { port in
            // One line on stdout that scripts (and the shutdown test) can wait for.
            let line = "roost listening on http://\(host):\(port)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runUntilSignalled(shutdownTimeout: .milliseconds(Int64(shutdownTimeout * 1000)))
        logger.info("stopped")
    }

    var settings: ServerSettings {
        var s = ServerSettings()
        s.host = host
        s.port = port
        s.dataDirectory = data
        s.databaseURL = database
        s.core.retryInterval = .milliseconds(Int64(retryInterval * 1000))
        s.core.retryAttempts = retryAttempts
        s.core.pushWindow = pushWindow
        s.core.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        s.core.maxTextBytes = maxTextBytes
        s.core.maxOutboundQueue = maxOutboundQueue
        s.core.bcryptCost = bcryptCost
        s.core.tokenLifetime = .seconds(tokenLifetime)
        s.core.groupMemberCap = groupMemberCap
        s.core.presenceDebounce = .milliseconds(Int64(presenceDebounce * 1000))
        s.maxFrameBytes = maxFrameBytes
        s.allowedOrigins = Set(allowedOrigins)
        s.metricsToken = metricsToken
        s.jwtSecret = jwtSecret
        s.durableCommits = !noFsync
        s.maxUploadBytes = maxUploadBytes
        s.core.recallWindow = .milliseconds(Int64(recallWindow * 1000))
        s.core.groupReadReceiptCap = groupReadReceiptCap
        s.core.maxDevicesPerUser = maxDevices
        s.core.maxConnections = maxConnections
        s.core.loginTimeout = .milliseconds(Int64(loginTimeout * 1000))
        s.handshakeTimeout = .milliseconds(Int64(handshakeTimeout * 1000))
        s.core.rates = (try? rates) ?? RateSettings()
        s.webRoot = WebRoot.locate(explicit: webRoot)
        s.core.editWindow = .milliseconds(Int64(editWindow * 1000))
        s.core.maxReactionsPerUser = maxReactionsPerUser
        s.accountEventInterval = .milliseconds(Int64(accountEventInterval * 1000))
        s.webSocketCompression = wsCompression
        return s
    }

    /// The rate flags, parsed; a malformed one is a validation error.
    var rates: RateSettings {
        get throws {
            func rule(_ text: String, _ flag: String) throws -> RateRule {
                guard let rule = RateRule(parsing: text) else {
                    throw ValidationError("--\(flag) must be N/s, N/min, N/h, N/<k>s or off, not \(text)")
                }
                return rule
            }
            if noRateLimits { return .unlimited }
            var r = RateSettings()
            r.messages = try rule(rateMessages, "rate-messages")
            r.requests = try rule(rateRequests, "rate-requests")
            r.http = try rule(rateHttp, "rate-http")
            r.loginsPerAccount = try rule(rateLoginsAccount, "rate-logins-account")
            r.loginsPerIP = try rule(rateLoginsIp, "rate-logins-ip")
            r.failedLoginCost = rateFailedLoginCost
            r.registrationsPerIP = try rule(rateRegistrationsIp, "rate-registrations-ip")
            r.connectionsPerUser = try rule(rateConnectionsUser, "rate-connections-user")
            r.connectionsPerIP = try rule(rateConnectionsIp, "rate-connections-ip")
            r.abuseStrikes = rateAbuseStrikes
            r.limitLoopback = rateLimitLoopback
            return r
        }
    }
}
