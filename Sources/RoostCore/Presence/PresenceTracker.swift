import RoostProtocol
import RoostStorage

/// Who is online, as told to contacts (friends and 1:1 peers).
///
/// A user is online while at least one device is connected (the registry is
/// the truth; with several nodes, the registry here or the device records of
/// the others, see `ClusterLink`). `online` is announced on the first
/// connection; `offline` only after the last device has been gone for the
/// debounce interval, so a reconnecting client (a flapping network) sends
/// nothing at all.
///
/// State changes are synchronous on the actor; the announcements (a contacts
/// read and sends) run in a per-user chain of tasks, so one user's `online`
/// and `offline` leave in order and no announcement holds the actor.
public actor PresenceTracker {
    private let store: any RoostStore
    private let registry: SessionRegistry
    private let debounce: Duration
    /// The other nodes, when several share one PostgreSQL.
    let cluster: ClusterSlot
    /// Users announced online (also while an `offline` is pending), with the
    /// generation of that announcement.
    private var announced: [Int64: Int] = [:]
    private var pendingOffline: [Int64: (generation: Int, task: Task<Void, Never>)] = [:]
    /// The last announcement of each user, which the next one waits for.
    private var chains: [Int64: (generation: Int, task: Task<Void, Never>)] = [:]
    private var generation = 0

    public init(store: any RoostStore, registry: SessionRegistry, debounce: Duration,
                cluster: ClusterSlot = ClusterSlot()) {
        self.store = store
        self.registry = registry
        self.debounce = debounce
        self.cluster = cluster
    }

    /// A device of `user` connected (after registering). Returns the user's
    /// online contacts, for the `presence` frames the new connection gets.
    /// `contacts` were read with the session start (`RoostStore.sessionStart`):
    /// a connection costs no read here.
    func connected(_ user: Int64, contacts: [Int64]) async -> [Int64] {
        guard registry.isOnline(user) else { return [] }   // already gone again
        if let pending = pendingOffline.removeValue(forKey: user) { pending.task.cancel() }
        if announced[user] == nil {
            announce(user, online: true, to: contacts)
            announced[user] = generation
        }
        // Contacts announced while we asked other nodes reach this connection by
        // their own announcement (it is registered): listing them too would say it twice.
        let asOf = generation
        let elsewhere = await cluster.link?.onlineElsewhere(contacts.filter { announced[$0] == nil }) ?? []
        return contacts.filter { (announced[$0].map { $0 <= asOf } ?? false) || elsewhere.contains($0) }
    }

    /// A device of `user` disconnected (after unregistering).
    func disconnected(_ user: Int64) async {
        guard announced[user] != nil, !registry.isOnline(user) else { return }
        pendingOffline[user]?.task.cancel()
        generation += 1
        let mine = generation
        let delay = debounce
        let task = Task {
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self.expire(user, generation: mine)
        }
        pendingOffline[user] = (mine, task)
    }

    /// Two users just became contacts (a friendship): if both are online, each learns of the other.
    func contactsAdded(_ a: Int64, _ b: Int64) async {
        let online = await onlineAnywhere([a, b])
        guard online.contains(a), online.contains(b) else { return }
        for (user, viewer) in [(a, b), (b, a)] { await tell(viewer, user, online: true) }
    }

    /// Two users stopped sharing presence (a block): each online one looks offline to the other.
    func contactsRemoved(_ a: Int64, _ b: Int64) async {
        let online = await onlineAnywhere([a, b])
        for (user, viewer) in [(a, b), (b, a)] where online.contains(user) { await tell(viewer, user, online: false) }
    }

    /// The device records of these users were dropped with a node that
    /// stopped beating (it crashed): those connected nowhere now are announced
    /// offline, since the dead node never will. Users announced here are this
    /// node's to announce.
    public func usersLost(_ users: [Int64]) async {
        var candidates: [Int64] = []
        for user in users where announced[user] == nil {
            if !registry.isOnline(user) { candidates.append(user) }
        }
        guard !candidates.isEmpty else { return }
        let elsewhere = await cluster.link?.onlineElsewhere(candidates) ?? []
        for user in candidates where !elsewhere.contains(user) && announced[user] == nil {
            announce(user, online: false)
        }
    }

    /// Those of `users` online here or through another node (one query for all of them).
    public func onlineAnywhere(_ users: [Int64]) async -> Set<Int64> {
        let here = users.filter { announced[$0] != nil }
        let elsewhere = await cluster.link?.onlineElsewhere(users.filter { announced[$0] == nil }) ?? []
        return Set(here).union(elsewhere)
    }

    /// One presence frame about `user` for `viewer`'s devices, wherever they are connected.
    private func tell(_ viewer: Int64, _ user: Int64, online: Bool) async {
        await Self.send(presenceOf: user, online: online, to: [viewer], registry: registry, cluster: cluster)
    }

    /// A presence frame about `user` to the devices of `viewers` connected
    /// here, and through the other nodes to those connected there.
    private static func send(presenceOf user: Int64, online: Bool, to viewers: [Int64],
                             registry: SessionRegistry, cluster: ClusterSlot) async {
        let frame = ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: online))
        for (_, connections) in registry.connections(of: viewers) {
            for connection in connections { connection.post { $0.sendEphemeral(frame) } }
        }
        await cluster.link?.relayPresence(of: user, online: online, to: viewers)
    }

    private func expire(_ user: Int64, generation: Int) async {
        guard pendingOffline[user]?.generation == generation else { return }
        pendingOffline[user] = nil
        guard !registry.isOnline(user), announced[user] != nil else { return }
        if let link = cluster.link {
            // Our record goes first: of two nodes losing the user's last devices
            // at once, at least one then sees no other and announces.
            await link.userLeft(user)
            if await link.onlineElsewhere([user]).contains(user) {
                // Still online through another node, which announces the offline when it comes.
                if !registry.isOnline(user), pendingOffline[user] == nil { announced[user] = nil }
                return
            }
        }
        guard !registry.isOnline(user), pendingOffline[user] == nil,
              announced.removeValue(forKey: user) != nil else { return }
        announce(user, online: false)
    }

    /// Queues `user`'s presence change for its online contacts (here and on
    /// the other nodes), after its previous one. `known`: the contacts as just
    /// read by the caller; without them the announcement reads them.
    private func announce(_ user: Int64, online: Bool, to known: [Int64]? = nil) {
        generation += 1
        let mine = generation
        let previous = chains[user]?.task
        let store = self.store, registry = self.registry, cluster = self.cluster
        let task = Task {
            await previous?.value
            let contacts: [Int64]
            if let known { contacts = known } else { contacts = (try? await store.contacts(of: user)) ?? [] }
            await Self.send(presenceOf: user, online: online, to: contacts, registry: registry, cluster: cluster)
            self.chainFinished(user, generation: mine)
        }
        chains[user] = (mine, task)
    }

    private func chainFinished(_ user: Int64, generation: Int) {
        if chains[user]?.generation == generation { chains[user] = nil }
    }
}
