import Logging
import RoostProtocol
import RoostStorage

/// One WebSocket connection: its session phase, its delivery window and its
/// timers. Frames from the socket are handled one at a time, in order; pushes
/// arrive from the registry between them and never wait for storage.
public actor ClientConnection {
    enum Phase {
        case awaitingLogin
        case active(Identity)
        case closed
    }

    let services: RoostServices
    let sink: any FrameSink
    var logger: Logger
    var phase: Phase = .awaitingLogin
    var window: DeliveryWindow
    var lastInbound: ContinuousClock.Instant = .now
    var retryTimer: (any ScheduledWork)?
    var idleTimer: (any ScheduledWork)?
    var loginTimer: (any ScheduledWork)?
    /// Armed while a gap below a later offer waits to fill (`pump`).
    var gapTimer: (any ScheduledWork)?
    var fetching = false
    /// Set once the presence tracker counted this connection (it must hear of the close).
    var presenceJoined = false
    /// The user's presence contacts as read with the session start, for `joinPresence`.
    var startContacts: [Int64] = []
    /// Set once `welcome` (or the `login` ack) is sent: no push or event may
    /// precede it. The session is registered (and can be offered items and
    /// events) a few store reads earlier; those wait in the window, events are dropped.
    var welcomed = false
    /// The identity this connection registered as. Kept after a server-side
    /// close (`phase` is then `.closed`), so the registry and presence still
    /// hear of the end of the socket.
    var registered: Identity?
    /// Recently recalled message ids seen by this connection (see ClientConnection+Recall).
    var recalledIDs = RecentSet(capacity: 256)
    /// Requests per connection and the strikes before an abusive connection is closed.
    var limits: ConnectionLimits
    /// The token version the session was authenticated with: a later
    /// revocation closes this socket, a newer token's socket stays.
    var tokenVersion: Int64?

    /// Frames read from the socket, handled one at a time in arrival order (ClientConnection+Inbound).
    var inbound = InboundQueue()

    /// The connection runs on its socket's event loop: frames in and out
    /// without a thread hop (FrameSink).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let executor: any SerialExecutor

    init(services: RoostServices, sink: any FrameSink, logger: Logger) {
        self.services = services
        self.sink = sink
        self.executor = sink.executor
        self.logger = logger
        let s = services.settings
        self.limits = ConnectionLimits(s.rates)
        self.window = DeliveryWindow(capacity: s.pushWindow, maxAttempts: s.retryAttempts, retryInterval: s.retryInterval)
    }

    var identity: Identity? {
        if case .active(let identity) = phase { return identity }
        return nil
    }

    public var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// Called once after the upgrade: with a grant (token in the URL) the
    /// session starts now with a `welcome`; without, the first frame must be `login`.
    public func start(grant: UpgradeGrant?) async {
        services.metrics.connections.increment()
        startIdleTimer()
        if let grant {
            do {
                let info = try await activate(grant.identity, since: grant.since, tokenVersion: grant.tokenVersion)
                sink.send(ServerFrame.event(type: "welcome", data: info))
                welcomed = true
                await joinPresence()
                pump()
                startReading()
            } catch {
                sessionDidNotStart(error, ref: nil)
            }
        } else {
            startLoginTimer()
            startReading()
        }
    }

    /// The socket is gone: forget the connection.
    public func connectionClosed() async {
        let identity = registered
        if !isClosed { services.metrics.connections.decrement() }
        phase = .closed
        cancelTimers()
        if let identity {
            services.registry.unregister(self, as: identity)
            if presenceJoined { await services.presence.disconnected(identity.userID) }
        }
    }

    /// Closes the connection with `code`; pending items stay in the inbox.
    func close(_ code: CloseCode, reason: String) {
        guard !isClosed else { return }
        services.metrics.connections.decrement()
        phase = .closed
        cancelTimers()
        sink.close(code, reason: reason)
    }

    /// Another connection of the same device, a logout or a ban ends this one.
    func kick(reason: String, code: CloseCode) {
        guard !isClosed else { return }
        sink.send(ServerFrame.event(type: "kicked", data: KickedEvent(reason: reason)))
        close(code, reason: reason)
    }

    /// Without a token in the URL the client must log in within the login
    /// timeout: a socket that never authenticates is not kept open.
    private func startLoginTimer() {
        loginTimer = arm(at: .now + services.settings.loginTimeout) { $0.loginTimedOut() }
    }

    /// Runs `work` on this connection at `deadline`, unless the connection is gone by then.
    func arm(at deadline: ContinuousClock.Instant,
             _ work: @escaping @Sendable (isolated ClientConnection) -> Void) -> any ScheduledWork {
        sink.schedule(at: deadline) { [weak self] in self?.assumeIsolated(work) }
    }

    func cancelTimers() {
        retryTimer?.cancel()
        idleTimer?.cancel()
        loginTimer?.cancel()
        gapTimer?.cancel()
        retryTimer = nil
        idleTimer = nil
        loginTimer = nil
        gapTimer = nil
    }

    private func loginTimedOut() {
        guard identity == nil, !isClosed else { return }
        fail(.unauthenticated("no login within the login timeout"), ref: nil)
        close(.unauthenticated, reason: "login timeout")
    }

    /// Registers the session and positions its cursor; returns the login result.
    func activate(_ identity: Identity, since: Int64?, tokenVersion: Int64?) async throws -> SessionInfo {
        let registry = services.registry
        phase = .active(identity)
        registered = identity
        self.tokenVersion = tokenVersion
        logger[metadataKey: "user"] = "\(identity.userID)"
        logger[metadataKey: "device"] = "\(identity.device)"
        switch registry.register(self, as: identity, maxDevices: services.settings.maxDevicesPerUser) {
        case .replaced(let replaced) where replaced !== self:
            await replaced.kick(reason: "replaced", code: .replaced)
        case .full:
            throw SessionRefusal.tooManyDevices(services.settings.maxDevicesPerUser)
        default:
            break
        }
        // Several nodes: the cap counts devices on all of them, and a node
        // still holding this device kicks it (`replaced`).
        if let link = services.cluster.link, try await !link.claimDevice(
            user: identity.userID, device: identity.device, maxDevices: services.settings.maxDevicesPerUser) {
            throw SessionRefusal.tooManyDevices(services.settings.maxDevicesPerUser)
        }
        let store = services.store
        // A logout or password change that committed after the token check
        // and kicked before this registration would miss us: check again.
        let start = try await store.sessionStart(user: identity.userID, device: identity.device)
        if let tokenVersion, start.tokenVersion != tokenVersion {
            throw SessionRefusal.revoked
        }
        startContacts = start.contacts
        let head = start.head
        var cursor = start.cursor
        if let since {
            cursor = min(since, head)
            store.setCursor(user: identity.userID, device: identity.device, to: cursor)
        } else if cursor > head {
            cursor = head
        }
        window.reset(cursor: cursor, head: head)
        logger.debug("session started", metadata: ["head": "\(head)", "cursor": "\(cursor)"])
        return SessionInfo(userID: String(identity.userID), device: identity.device, headSeq: head,
                           ackedSeq: cursor, epoch: store.epoch)
    }
}
