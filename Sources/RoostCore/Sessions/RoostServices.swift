import Logging
import RoostProtocol
import RoostStorage

/// Everything a connection or an HTTP route needs, built once at start.
public final class RoostServices: Sendable {
    public let settings: CoreSettings
    public let store: any RoostStore
    public let registry: SessionRegistry
    /// Group membership cache (issue 3).
    public let groups: GroupDirectory
    /// Online state shared with contacts (issue 3).
    public let presence: PresenceTracker
    public let tokens: TokenService
    public let accounts: AccountService
    public let metrics: CoreMetrics
    /// Rate limits spanning connections (per user, account and IP).
    public let limiter: RateLimiter
    /// Typing frames per sender and conversation, across the sender's devices.
    public let typing: TypingThrottle
    /// The other nodes on the same PostgreSQL, while the cluster relay runs.
    public let cluster: ClusterSlot
    public let logger: Logger
    public let startedAt: ContinuousClock.Instant

    public init(settings: CoreSettings, store: any RoostStore, tokenSecret: String, logger: Logger) async {
        self.settings = settings
        self.store = store
        let registry = SessionRegistry()
        self.registry = registry
        let cluster = ClusterSlot()
        self.cluster = cluster
        self.groups = GroupDirectory(store: store)
        self.presence = PresenceTracker(store: store, registry: registry, debounce: settings.presenceDebounce,
                                        cluster: cluster)
        let tokens = await TokenService(secret: tokenSecret, lifetime: settings.tokenLifetime, store: store)
        self.tokens = tokens
        self.accounts = await AccountService(store: store, hasher: PasswordHasher(cost: settings.bcryptCost),
                                             tokens: tokens)
        self.metrics = CoreMetrics()
        self.limiter = RateLimiter(settings.rates)
        self.typing = TypingThrottle(interval: settings.typingInterval)
        self.logger = logger
        self.startedAt = .now
    }

    /// A new connection, speaking through `sink`.
    public func makeConnection(sink: any FrameSink, logger: Logger) -> ClientConnection {
        ClientConnection(services: self, sink: sink, logger: logger)
    }
}
