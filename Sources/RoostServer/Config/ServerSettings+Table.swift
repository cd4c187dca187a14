import RoostCore

extension ServerSettings {
    /// Every setting of `roost serve`, in the order `roost config` prints them.
    /// Adding a setting is one row here (plus its field, and its flag in
    /// `ServerFlags`); the environment name, the file key, validation, help and
    /// the reference follow from the row.
    public static let table: [Setting] = [
        .text("host", \.host, "Address to listen on."),
        .integer("port", \.port, in: 0...65_535, "Port to listen on (0 picks a free one)."),
        .text("data", \.dataDirectory, "Data directory (holds roost.sqlite, the token secret and uploaded files)."),
        .optionalText("database", \.databaseURL, secret: true, unset: "none: SQLite in the data directory",
                      "PostgreSQL URL (postgres://user:password@host:port/db?sslmode=disable) to store everything, uploaded files and the shared token secret included, for several nodes (docs/scaling.md)."),
        .seconds("retry-interval", \.core.retryInterval, "Seconds before an unacked pushed item is pushed again."),
        .integer("retry-attempts", \.core.retryAttempts, atLeast: 1,
                 "Pushes of one item (the first included) before the connection is closed with 4410."),
        .integer("push-window", \.core.pushWindow, atLeast: 1, "Unacked items in flight per connection."),
        .seconds("idle-timeout", \.core.idleTimeout, "Seconds without inbound traffic before a connection is closed with 4408."),
        .integer("max-frame-bytes", \.maxFrameBytes, atLeast: 1024, "Largest inbound WebSocket frame in bytes (close 1009 above)."),
        .integer("max-text-bytes", \.core.maxTextBytes, atLeast: 1, "Largest message text in UTF-8 bytes."),
        .integer("max-outbound-queue", \.core.maxOutboundQueue, atLeast: 1,
                 "Frames queued for one slow connection before it is closed (never fewer than push-window)."),
        .integer("bcrypt-cost", \.core.bcryptCost, in: 4...31, "bcrypt cost for password hashes."),
        .seconds("token-lifetime", \.core.tokenLifetime, "Token lifetime in seconds."),
        .integer("group-member-cap", \.core.groupMemberCap, atLeast: 1, "Members of one group at most (adding beyond is a conflict)."),
        .seconds("presence-debounce", \.core.presenceDebounce, allowZero: true,
                 "Seconds the last device must stay disconnected before contacts see offline."),
        .list("allow-origin", \.allowedOrigins, "Origins allowed on /ws besides the server's own (a repeatable flag)."),
        .optionalText("metrics-token", \.metricsToken, secret: true, unset: "none: public",
                      "Bearer token required by /stats and /metrics."),
        .address("metrics-listen", \.metricsListen, unset: "none: main port only",
                 "HOST:PORT of a second listener serving /metrics, /stats and /health."),
        // HS256 wants a key at least as long as its hash (jwt-kit asserts it).
        .optionalText("jwt-secret", \.jwtSecret, secret: true, minBytes: 32, unset: "generated once, kept in the data directory (on PostgreSQL: in the database, shared by the nodes)",
                      "Token signing secret."),
        .toggle("no-fsync", \.fsyncOff,
                "Do not fsync each commit (faster, loses the last commits on power loss). For benchmarks only."),
        .integer("max-upload-bytes", \.maxUploadBytes, atLeast: 1, "Largest file upload in bytes (413 above)."),
        .seconds("recall-window", \.core.recallWindow, allowZero: true,
                 "Seconds after sending during which a sender may recall a message."),
        .integer("group-read-receipt-cap", \.core.groupReadReceiptCap, atLeast: 0,
                 "Groups with more members than this get no read receipts fanned out."),
        .seconds("edit-window", \.core.editWindow, allowZero: true,
                 "Seconds after sending during which a sender may edit a message."),
        .integer("max-reactions-per-user", \.core.maxReactionsPerUser, atLeast: 1,
                 "Different emoji one user may put on one message."),
        .seconds("account-event-interval", \.accountEventInterval, allowZero: true,
                 "Seconds between checks for account changes made by `roost user` on the data directory (0: off)."),
        .seconds("cluster-poll-interval", \.clusterPollInterval,
                 "PostgreSQL only: seconds between a node's beats (its connected users and devices, heads polled for missed notices); a node silent for ten of them (5 s at least) counts as dead."),
        .toggle("ws-compression", \.webSocketCompression,
                "Offer permessage-deflate on WebSockets (inflated messages capped at max-frame-bytes)."),
        .optionalText("tls-cert", \.tlsCertificatePath, unset: "none: plain HTTP",
                      "PEM certificate chain: the port serves HTTPS and WSS (with tls-key)."),
        .optionalText("tls-key", \.tlsKeyPath, unset: "none", "PEM private key of tls-cert."),
        .seconds("push-interval", \.push.interval,
                 "Seconds between push requests to one offline device, retries included (first retry delay, doubling)."),
        .seconds("push-timeout", \.push.requestTimeout, "Seconds one push request may take."),
        .integer("push-concurrency", \.push.concurrency, atLeast: 1, "Push requests in flight at once."),
        .seconds("push-give-up", \.push.giveUpAfter, "Seconds after its first attempt a failing push is given up."),
        .integer("push-max-pending", \.push.maxPendingDevices, atLeast: 1,
                 "Devices with a pending push at most (further ones are dropped and counted)."),
        .integer("push-max-endpoints", \.push.maxEndpointsPerUser, atLeast: 1,
                 "Devices of one user that may register a push endpoint (409 beyond)."),
        .toggle("push-deny-private", \.pushDenyPrivate,
                "Refuse push endpoints on loopback, private, link-local and other non-public addresses (SSRF guard for public instances)."),
        .logFormat("log-format", \.logFormat, "Log format: text (for a terminal) or json (one object per line, for log shippers)."),
        .logLevel("log-level", \.logLevel, "Log level: trace, debug, info, notice, warning, error, critical."),
        .seconds("shutdown-timeout", \.shutdownTimeout, "Seconds a shutdown may take before what is left is cancelled."),
        .optionalText("web-root", \.webRootSetting, unset: "Resources/web next to the working directory, the binary or the sources",
                      "Directory of the web client served at / (\"\" serves none)."),
        .integer("max-devices", \.core.maxDevicesPerUser, atLeast: 1,
                 "Devices of one user connected at once (a further device is refused with 409)."),
        .integer("max-connections", \.core.maxConnections, atLeast: 1,
                 "WebSocket connections open at once on the server (further upgrades get 429)."),
        .seconds("login-timeout", \.core.loginTimeout, "Seconds a connection opened without a token has to send login (else close 4401)."),
        .seconds("handshake-timeout", \.handshakeTimeout,
                 "Seconds a TCP connection has to complete its first request (upgrade or HTTP)."),
        .seconds("http-idle-timeout", \.httpIdleTimeout, "Seconds an idle HTTP keep-alive connection stays open."),
        .seconds("drain-timeout", \.drainTimeout, allowZero: true,
                 "Seconds WebSockets get at shutdown to close with 1001 before the server stops."),
        .seconds("typing-interval", \.core.typingInterval, allowZero: true,
                 "Typing frames relayed per conversation and sender: at most one per this many seconds."),
        .integer("max-write-batch", \.maxWriteBatch, atLeast: 1, "Writes committed in one group-commit transaction at most."),
        .integer("readers", \.readers, atLeast: 1,
                 "SQLite reader connections (reads beyond them wait for one); each keeps its own page cache."),
        .seconds("checkpoint-interval", \.checkpointInterval,
                 "Seconds between background WAL checkpoints (SQLite): commits never copy the WAL into the database file themselves."),
        .integer("wal-size-bytes", \.walSizeLimit, atLeast: 65_536,
                 "WAL size past which, once a background checkpoint has copied it, the writer starts the WAL over from its beginning; a longer WAL is cut back to it (SQLite)."),
        .seconds("search-index-interval", \.searchIndexInterval, allowZero: true,
                 "Seconds a new message's text may wait to enter the search index, which its own connection keeps in roost.search.sqlite (SQLite; a search indexes what waits first; 0: as soon as the indexer sees a commit)."),
        .integer("search-index-chunk", \.searchIndexChunk, atLeast: 1,
                 "Messages the search indexer adds per transaction, a backlog in paced steps (SQLite)."),
        .integer("max-pending-writes", \.maxPendingWrites, atLeast: 1,
                 "Writes queued for the storage writer beyond which new ones are refused as overloaded."),
        .rate("rate-messages", \.core.rates.messages, "send_message per user."),
        .rate("rate-requests", \.core.rates.requests, "Requests per WebSocket connection."),
        .rate("rate-http", \.core.rates.http, "HTTP /api requests per client IP and per user."),
        .rate("rate-logins-account", \.core.rates.loginsPerAccount, "Login attempts per account name."),
        .rate("rate-logins-ip", \.core.rates.loginsPerIP, "Login attempts per client IP."),
        .number("rate-failed-login-cost", \.core.rates.failedLoginCost, "Extra attempts a failed login costs (per account and IP)."),
        .rate("rate-registrations-ip", \.core.rates.registrationsPerIP, "Registrations per client IP."),
        .rate("rate-connections-user", \.core.rates.connectionsPerUser, "New WebSocket connections per user."),
        .rate("rate-connections-ip", \.core.rates.connectionsPerIP, "New WebSocket connections per client IP."),
        .integer("rate-abuse-strikes", \.core.rates.abuseStrikes, atLeast: 1,
                 "Rate-limited requests (refilled 1/s) before a connection is closed with 1008."),
        .toggle("rate-limit-loopback", \.core.rates.limitLoopback,
                "Apply per-IP limits to loopback peers too (off: local proxies and tools share 127.0.0.1)."),
        // After the rates: when on, it turns every one of them off.
        .toggle("no-rate-limits", \.rateLimitsOff, "Turn every rate limit off (load tests from one address)."),
    ]

    /// The row of `key`; the flags take their help from it.
    public static func setting(_ key: String) -> Setting? {
        table.first { $0.key == key }
    }
}

/// Fields that a setting names differently from how the application holds them.
extension ServerSettings {
    /// `no-fsync`: the inverse of `durableCommits`.
    var fsyncOff: Bool {
        get { !durableCommits }
        set { durableCommits = !newValue }
    }

    /// `push-deny-private`: the inverse of `push.allowPrivateAddresses`.
    var pushDenyPrivate: Bool {
        get { !push.allowPrivateAddresses }
        set { push.allowPrivateAddresses = !newValue }
    }

    /// `no-rate-limits`: on turns every rate limit off; off leaves the rates as set.
    var rateLimitsOff: Bool {
        get {
            let r = core.rates
            return [r.messages, r.requests, r.http, r.loginsPerAccount, r.loginsPerIP, r.registrationsPerIP,
                    r.connectionsPerUser, r.connectionsPerIP].allSatisfy(\.isOff)
        }
        set {
            guard newValue else { return }
            let (strikes, loopback) = (core.rates.abuseStrikes, core.rates.limitLoopback)
            core.rates = .unlimited
            core.rates.abuseStrikes = strikes
            core.rates.limitLoopback = loopback
        }
    }

    /// `web-root`: a directory, "" for none; unset, the one `WebRoot.locate` finds.
    var webRootSetting: String? {
        get { webRoot }
        set { webRoot = WebRoot.locate(explicit: newValue) }
    }
}
