/// Every limit and interval of the core, with the defaults of PROTOCOL.md.
/// Tests and benchmarks tune them; `roost serve` exposes each as a flag.
public struct CoreSettings: Sendable {
    /// Pushed items not acked within this are pushed again.
    public var retryInterval: Duration = .seconds(5)
    /// Pushes of one item (the first included) before close 4410.
    public var retryAttempts: Int = 5
    /// Unacked items in flight per connection.
    public var pushWindow: Int = 256
    /// Close 4408 after this long without inbound traffic.
    public var idleTimeout: Duration = .seconds(90)
    /// `content.text` limit in UTF-8 bytes.
    public var maxTextBytes: Int = 16 * 1024
    /// Frames queued for one connection's socket beyond which it is a slow consumer and is closed.
    public var maxOutboundQueue: Int = 4_096

    /// The slow-consumer limit in force: never below `pushWindow`. A
    /// reconnecting device's first window is written in one burst, and every
    /// frame written while its socket takes no more counts toward the limit,
    /// so a limit below the window closed healthy clients (seen with a window
    /// of 5,000 and a limit of 4).
    public var outboundLimit: Int { max(maxOutboundQueue, pushWindow) }
    /// Lifetime of issued tokens.
    public var tokenLifetime: Duration = .seconds(7 * 24 * 3600)
    /// bcrypt cost (4-31). Tests use 4.
    public var bcryptCost: UInt8 = 12
    /// Typing frames per conversation per sender: at most one per this interval.
    public var typingInterval: Duration = .seconds(1)
    /// Members of one group at most; adding beyond is `conflict`.
    public var groupMemberCap: Int = 2_000
    /// How long the last device must stay gone before contacts see `offline`.
    public var presenceDebounce: Duration = .seconds(2)
    /// How long after sending a sender may recall a message (group owners: always).
    public var recallWindow: Duration = .seconds(120)
    /// Groups above this many members get no `read` items fanned out (positions still move).
    public var groupReadReceiptCap: Int = 100
    /// How long after sending a sender may edit a message (PROTOCOL.md 9).
    public var editWindow: Duration = .seconds(24 * 3600)
    /// Distinct reactions one user may have on one message.
    public var maxReactionsPerUser: Int = 20

    /// Rate limits (PROTOCOL.md 7); defaults in docs/protocol.md "Rate limits".
    public var rates = RateSettings()
    /// Devices of one user connected at once; a further device is refused
    /// (409 `conflict` on the upgrade, `conflict` and close 1008 on `login`).
    /// A reconnect of a connected device replaces it and is always allowed.
    public var maxDevicesPerUser: Int = 10
    /// WebSocket connections open at once, on the whole server; beyond, upgrades get 429.
    public var maxConnections: Int = 50_000
    /// A connection upgraded without a token must log in within this, else close 4401.
    public var loginTimeout: Duration = .seconds(10)

    public init() {}
}
