import AsyncHTTPClient
import Logging
import RoostCore
import RoostProtocol
import RoostStorage
import ServiceLifecycle
import Synchronization

/// Push for offline devices (PROTOCOL.md 9): registrations, and the worker
/// that tells a device's endpoint "something new" when items are committed
/// while that device has no connection to this server.
///
/// The commit path only calls `itemsCommitted(_:)`, which filters by the
/// users known to have endpoints and inserts into a bounded set: it never
/// waits, and a full queue drops (and counts) instead of blocking. `run()`
/// drains that set, starts one runner task per device (bounded table), and
/// each runner sends at most one request at a time, one per interval, under a
/// global bound of requests in flight.
public final class PushDispatcher: Service, OfflineNotifier {
    let settings: PushSettings
    let store: any PushStore
    let registry: SessionRegistry
    let logger: Logger
    let metrics = PushMetrics()
    let rule: PushEndpointRule
    let pending: PendingUsers
    let table: PushDeviceTable
    let permits: PushPermits
    /// Users with at least one endpoint: a superset (an endpoint removed by the
    /// CLI stays listed until the next push finds it gone), loaded in `run()`.
    /// Sharded: every commit looks up each of its users here.
    private let known = LockShards<Set<Int64>> { [] }
    /// Between the start of `run()` and shutdown.
    private let accepting = Atomic<Bool>(false)

    public init(settings: PushSettings, store: any PushStore, registry: SessionRegistry, logger: Logger) {
        self.settings = settings
        self.store = store
        self.registry = registry
        self.logger = logger
        self.rule = PushEndpointRule(maxBytes: settings.maxEndpointBytes,
                                     allowPrivateAddresses: settings.allowPrivateAddresses)
        self.pending = PendingUsers(capacity: settings.maxPendingDevices)
        self.table = PushDeviceTable(capacity: settings.maxPendingDevices, interval: settings.interval,
                                     giveUpAfter: settings.giveUpAfter)
        self.permits = PushPermits(settings.concurrency)
    }

    // MARK: OfflineNotifier (the commit path)

    public func itemsCommitted(_ deliveries: [Delivery]) {
        guard accepting.load(ordering: .relaxed) else { return }
        // A user twice in the list is one pending entry (`PendingUsers`).
        var candidates: [Int64] = []
        for delivery in deliveries where known.withLock(for: delivery.user, { $0.contains(delivery.user) }) {
            candidates.append(delivery.user)
        }
        guard !candidates.isEmpty else { return }
        let dropped = pending.insert(candidates)
        if dropped > 0 { metrics.dropped.increment(by: dropped) }
    }

    // MARK: Registrations (the routes, and a ban)

    /// `PUT /api/push`: validates and stores; `bad_request` for a bad device or endpoint.
    public func register(user: Int64, device: String, endpoint: String) async throws -> PushRegistration {
        guard DeviceName.isValid(device) else {
            throw RoostError.badRequest("device must be 1-64 characters of A-Z a-z 0-9 _ . -")
        }
        do {
            try rule.check(endpoint)
        } catch {
            throw RoostError.badRequest(error.description)
        }
        let registration = try await store.setPushEndpoint(user: user, device: device, endpoint: endpoint,
                                                           maxPerUser: settings.maxEndpointsPerUser)
        known.withLock(for: user) { _ = $0.insert(user) }
        return registration
    }

    /// `DELETE /api/push/{device}`: no further push goes to it (a runner
    /// mid-request finishes that one request).
    public func unregister(user: Int64, device: String) async throws {
        try await store.removePushEndpoint(user: user, device: device)
        await table.remove(PushDeviceKey(user: user, device: device))
    }

    public func registrations(of user: Int64) async throws -> [PushRegistration] {
        try await store.pushEndpoints(user: user)
    }

    /// Forgets `user`'s pending pushes: the store dropped their endpoints in the
    /// transaction that banned or deleted the account (a runner would also find
    /// its endpoint gone before its next request; this stops it at once).
    public func forget(user: Int64) async {
        known.withLock(for: user) { _ = $0.remove(user) }
        await table.removeAll(user: user)
    }

    // MARK: Service

    public func run() async throws {
        let users = try await store.usersWithPushEndpoints()
        for user in users { known.withLock(for: user) { _ = $0.insert(user) } }
        accepting.store(true, ordering: .relaxed)
        registry.offline.set(self)
        let client = PushSender.makeClient(timeout: settings.requestTimeout)
        let sender = PushSender(client: client, timeout: settings.requestTimeout,
                                allowPrivateAddresses: settings.allowPrivateAddresses)
        // Pushes are best effort: at shutdown pending ones are dropped (the
        // devices catch up by cursor when they connect) and requests cancelled.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await _ in self.pending.wakeups {
                    for user in self.pending.drain() {
                        await self.admit(user: user, into: &group, sender: sender)
                    }
                }
            }
        }
        accepting.store(false, ordering: .relaxed)
        pending.finish()
        try? await client.shutdown()
    }

    /// Looks up the user's endpoints and connected devices and gives every
    /// registered device without a connection a commit.
    private func admit(user: Int64, into group: inout DiscardingTaskGroup, sender: PushSender) async {
        let registrations: [PushRegistration]
        do {
            registrations = try await store.pushEndpoints(user: user)
        } catch {
            logger.warning("reading push endpoints failed", metadata: ["error": "\(error)"])
            return
        }
        // `known` is not pruned here: a registration racing this read would be lost from it.
        guard !registrations.isEmpty else { return }
        let connected = registry.connectedDevices(of: user)
        for registration in registrations where !connected.contains(registration.device) {
            let key = PushDeviceKey(user: user, device: registration.device)
            switch await table.commit(key, now: .now) {
            case .startRunner(let generation):
                group.addTask { await self.runDevice(key, generation: generation, sender: sender) }
            case .merged:
                break
            case .full:
                metrics.dropped.increment()
            }
        }
    }
}
