import ArgumentParser
import RoostServer

/// The flags of `roost serve` (and `roost config`): every one optional, so a
/// flag that is not given leaves the decision to `ROOST_*`, the config file or
/// the default. Help comes from the settings table.
struct ServerFlags: ParsableArguments {
    @Option(help: "YAML config file (default: $ROOST_CONFIG, else ./roost.yaml if present).") var config: String?

    @Option(help: settingHelp("host")) var host: String?
    @Option(help: settingHelp("port")) var port: Int?
    @Option(help: settingHelp("data")) var data: String?
    @Option(help: settingHelp("database")) var database: String?
    @Option(help: settingHelp("retry-interval")) var retryInterval: Double?
    @Option(help: settingHelp("retry-attempts")) var retryAttempts: Int?
    @Option(help: settingHelp("push-window")) var pushWindow: Int?
    @Option(help: settingHelp("idle-timeout")) var idleTimeout: Double?
    @Option(help: settingHelp("max-frame-bytes")) var maxFrameBytes: Int?
    @Option(help: settingHelp("max-text-bytes")) var maxTextBytes: Int?
    @Option(help: settingHelp("max-outbound-queue")) var maxOutboundQueue: Int?
    @Option(help: settingHelp("bcrypt-cost")) var bcryptCost: Int?
    @Option(help: settingHelp("token-lifetime")) var tokenLifetime: Double?
    @Option(help: settingHelp("group-member-cap")) var groupMemberCap: Int?
    @Option(help: settingHelp("presence-debounce")) var presenceDebounce: Double?
    @Option(name: .customLong("allow-origin"), help: settingHelp("allow-origin")) var allowedOrigins: [String] = []
    @Option(help: settingHelp("metrics-token")) var metricsToken: String?
    @Option(help: settingHelp("metrics-listen")) var metricsListen: String?
    @Option(help: settingHelp("jwt-secret")) var jwtSecret: String?
    @Flag(help: settingHelp("no-fsync")) var noFsync = false
    @Flag(help: "Fsync every commit even if ROOST_NO_FSYNC or the config file turns it off.") var fsync = false
    @Option(help: settingHelp("max-upload-bytes")) var maxUploadBytes: Int?
    @Option(help: settingHelp("recall-window")) var recallWindow: Double?
    @Option(help: settingHelp("group-read-receipt-cap")) var groupReadReceiptCap: Int?
    @Option(help: settingHelp("edit-window")) var editWindow: Double?
    @Option(help: settingHelp("max-reactions-per-user")) var maxReactionsPerUser: Int?
    @Option(help: settingHelp("account-event-interval")) var accountEventInterval: Double?
    @Option(help: settingHelp("cluster-poll-interval")) var clusterPollInterval: Double?
    @Flag(inversion: .prefixedNo, help: settingHelp("ws-compression")) var wsCompression: Bool?
    @Option(help: settingHelp("tls-cert")) var tlsCert: String?
    @Option(help: settingHelp("tls-key")) var tlsKey: String?
    @Option(help: settingHelp("push-interval")) var pushInterval: Double?
    @Option(help: settingHelp("push-timeout")) var pushTimeout: Double?
    @Option(help: settingHelp("push-concurrency")) var pushConcurrency: Int?
    @Option(help: settingHelp("push-give-up")) var pushGiveUp: Double?
    @Option(help: settingHelp("push-max-pending")) var pushMaxPending: Int?
    @Option(help: settingHelp("push-max-endpoints")) var pushMaxEndpoints: Int?
    @Flag(inversion: .prefixedNo, help: settingHelp("push-deny-private")) var pushDenyPrivate: Bool?
    @Option(help: settingHelp("log-format")) var logFormat: String?
    @Option(help: settingHelp("log-level")) var logLevel: String?
    @Option(help: settingHelp("shutdown-timeout")) var shutdownTimeout: Double?
    @Option(help: settingHelp("web-root")) var webRoot: String?
    @Option(help: settingHelp("max-devices")) var maxDevices: Int?
    @Option(help: settingHelp("max-connections")) var maxConnections: Int?
    @Option(help: settingHelp("login-timeout")) var loginTimeout: Double?
    @Option(help: settingHelp("handshake-timeout")) var handshakeTimeout: Double?
    @Option(help: settingHelp("http-idle-timeout")) var httpIdleTimeout: Double?
    @Option(help: settingHelp("drain-timeout")) var drainTimeout: Double?
    @Option(help: settingHelp("typing-interval")) var typingInterval: Double?
    @Option(help: settingHelp("max-write-batch")) var maxWriteBatch: Int?
    @Option(help: settingHelp("readers")) var readers: Int?
    @Option(help: settingHelp("checkpoint-interval")) var checkpointInterval: Double?
    @Option(help: settingHelp("wal-size-bytes")) var walSizeBytes: Int?
    @Option(help: settingHelp("search-index-interval")) var searchIndexInterval: Double?
    @Option(help: settingHelp("search-index-chunk")) var searchIndexChunk: Int?
    @Option(help: settingHelp("max-pending-writes")) var maxPendingWrites: Int?
    @Option(help: settingHelp("rate-messages")) var rateMessages: String?
    @Option(help: settingHelp("rate-requests")) var rateRequests: String?
    @Option(help: settingHelp("rate-http")) var rateHttp: String?
    @Option(help: settingHelp("rate-logins-account")) var rateLoginsAccount: String?
    @Option(help: settingHelp("rate-logins-ip")) var rateLoginsIp: String?
    @Option(help: settingHelp("rate-failed-login-cost")) var rateFailedLoginCost: Double?
    @Option(help: settingHelp("rate-registrations-ip")) var rateRegistrationsIp: String?
    @Option(help: settingHelp("rate-connections-user")) var rateConnectionsUser: String?
    @Option(help: settingHelp("rate-connections-ip")) var rateConnectionsIp: String?
    @Option(help: settingHelp("rate-abuse-strikes")) var rateAbuseStrikes: Int?
    @Flag(inversion: .prefixedNo, help: settingHelp("rate-limit-loopback")) var rateLimitLoopback: Bool?
    @Flag(help: settingHelp("no-rate-limits")) var noRateLimits = false
    @Flag(help: "Apply the rate limits even if ROOST_NO_RATE_LIMITS or the config file turns them off.")
    var rateLimits = false

    /// The flags given, by setting key. Each toggle has a flag for either
    /// side (`--ws-compression`/`--no-ws-compression`, `--no-fsync`/`--fsync`),
    /// so a flag can undo what the environment or the file switched on.
    var values: FlagValues {
        var v = FlagValues()
        v["host"] = host
        v["port"] = port
        v["data"] = data
        v["database"] = database
        v["retry-interval"] = retryInterval
        v["retry-attempts"] = retryAttempts
        v["push-window"] = pushWindow
        v["idle-timeout"] = idleTimeout
        v["max-frame-bytes"] = maxFrameBytes
        v["max-text-bytes"] = maxTextBytes
        v["max-outbound-queue"] = maxOutboundQueue
        v["bcrypt-cost"] = bcryptCost
        v["token-lifetime"] = tokenLifetime
        v["group-member-cap"] = groupMemberCap
        v["presence-debounce"] = presenceDebounce
        v["allow-origin"] = allowedOrigins.isEmpty ? nil : allowedOrigins
        v["metrics-token"] = metricsToken
        v["metrics-listen"] = metricsListen
        v["jwt-secret"] = jwtSecret
        v["no-fsync"] = noFsync ? Bool(true) : fsync ? Bool(false) : nil
        v["max-upload-bytes"] = maxUploadBytes
        v["recall-window"] = recallWindow
        v["edit-window"] = editWindow
        v["max-reactions-per-user"] = maxReactionsPerUser
        v["account-event-interval"] = accountEventInterval
        v["cluster-poll-interval"] = clusterPollInterval
        v["ws-compression"] = wsCompression
        v["tls-cert"] = tlsCert
        v["tls-key"] = tlsKey
        v["push-interval"] = pushInterval
        v["push-timeout"] = pushTimeout
        v["push-concurrency"] = pushConcurrency
        v["push-give-up"] = pushGiveUp
        v["push-max-pending"] = pushMaxPending
        v["push-max-endpoints"] = pushMaxEndpoints
        v["push-deny-private"] = pushDenyPrivate
        v["group-read-receipt-cap"] = groupReadReceiptCap
        v["log-format"] = logFormat
        v["log-level"] = logLevel
        v["shutdown-timeout"] = shutdownTimeout
        v["web-root"] = webRoot
        v["max-devices"] = maxDevices
        v["max-connections"] = maxConnections
        v["login-timeout"] = loginTimeout
        v["handshake-timeout"] = handshakeTimeout
        v["http-idle-timeout"] = httpIdleTimeout
        v["drain-timeout"] = drainTimeout
        v["typing-interval"] = typingInterval
        v["max-write-batch"] = maxWriteBatch
        v["readers"] = readers
        v["checkpoint-interval"] = checkpointInterval
        v["wal-size-bytes"] = walSizeBytes
        v["search-index-interval"] = searchIndexInterval
        v["search-index-chunk"] = searchIndexChunk
        v["max-pending-writes"] = maxPendingWrites
        v["rate-messages"] = rateMessages
        v["rate-requests"] = rateRequests
        v["rate-http"] = rateHttp
        v["rate-logins-account"] = rateLoginsAccount
        v["rate-logins-ip"] = rateLoginsIp
        v["rate-failed-login-cost"] = rateFailedLoginCost
        v["rate-registrations-ip"] = rateRegistrationsIp
        v["rate-connections-user"] = rateConnectionsUser
        v["rate-connections-ip"] = rateConnectionsIp
        v["rate-abuse-strikes"] = rateAbuseStrikes
        v["rate-limit-loopback"] = rateLimitLoopback
        v["no-rate-limits"] = noRateLimits ? Bool(true) : rateLimits ? Bool(false) : nil
        return v
    }

    func validate() throws {
        for (on, off, name) in [(noFsync, fsync, "fsync"), (noRateLimits, rateLimits, "rate-limits")] where on && off {
            throw ValidationError("--no-\(name) and --\(name) contradict each other")
        }
    }

    /// Flags > `ROOST_*` > the config file > defaults.
    func resolve() async throws -> EffectiveConfiguration {
        try await ConfigurationResolver.resolve(flags: values, configFile: config)
    }
}

/// A setting's help with its default and environment variable, from the table.
private func settingHelp(_ key: String) -> ArgumentHelp {
    guard let text = settingHelpTexts[key] else { preconditionFailure("no setting \(key)") }
    return ArgumentHelp(text)
}

/// Built once: argument-parser instantiates `ServerFlags` many times while it
/// parses and validates, and each instance asks for every help text (a
/// default rendered per setting made `roost serve` start visibly slower).
private let settingHelpTexts: [String: String] = Dictionary(uniqueKeysWithValues: ServerSettings.table.map { setting in
    (setting.key, "\(setting.help) (default: \(setting.defaultText); env \(setting.environmentName))")
})
