import RoostProtocol
import RoostStorage

/// Who is online, as told to contacts (friends and 1:1 peers).
///
/// A user is online while at least one device is connected (the registry is
/// the truth). `online` is announced on the first connection; `offline` only
/// after the last device has been gone for the debounce interval, so a
/// reconnecting client (a flapping network) sends nothing at all.
///
/// State changes are synchronous on the actor; the announcements (a contacts
/// read and sends) run in a per-user chain of tasks, so one user's `online`
/// and `offline` leave in order and no announcement holds the actor.
public actor PresenceTracker {
    private let store: any RoostStore
    private let registry: SessionRegistry
    private let debounce: Duration
    /// Users announced online (also while an `offline` is pending).
    private var announced: Set<Int64> = []
    private var pendingOffline: [Int64: (generation: Int, task: Task<Void, Never>)] = [:]
    /// The last announcement of each user, which the next one waits for.
    private var chains: [Int64: (generation: Int, task: Task<Void, Never>)] = [:]
    private var generation = 0

    public init(store: any RoostStore, registry: SessionRegistry, debounce: Duration) {
        self.store = store
        self.registry = registry
        self.debounce = debounce
    }

    public func isOnline(_ user: Int64) -> Bool { announced.contains(user) }

    /// A device of `user` connected (after registering). Returns the user's
    /// online contacts, for the `presence` frames the new connection gets.
    func connected(_ user: Int64) async -> [Int64] {
        guard registry.isOnline(user) else { return [] }   // already gone again
        if let pending = pendingOffline.removeValue(forKey: user) { pending.task.cancel() }
        if announced.insert(user).inserted { announce(user, online: true) }
        let contacts = (try? await store.contacts(of: user)) ?? []
        return contacts.filter { announced.contains($0) }
    }

    /// A device of `user` disconnected (after unregistering).
    func disconnected(_ user: Int64) async {
        guard announced.contains(user), !registry.isOnline(user) else { return }
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
        guard announced.contains(a), announced.contains(b) else { return }
        for (user, viewer) in [(a, b), (b, a)] {
            let frame = ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: true))
            for connection in registry.connections(of: viewer) { connection.post { $0.sendEphemeral(frame) } }
        }
    }

    /// Two users stopped sharing presence (a block): each online one looks offline to the other.
    func contactsRemoved(_ a: Int64, _ b: Int64) async {
        for (user, viewer) in [(a, b), (b, a)] where announced.contains(user) {
            let frame = ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: false))
            for connection in registry.connections(of: viewer) { connection.post { $0.sendEphemeral(frame) } }
        }
    }

    private func expire(_ user: Int64, generation: Int) async {
        guard pendingOffline[user]?.generation == generation else { return }
        pendingOffline[user] = nil
        guard !registry.isOnline(user), announced.remove(user) != nil else { return }
        announce(user, online: false)
    }

    /// Queues `user`'s presence change for its online contacts, after its previous one.
    private func announce(_ user: Int64, online: Bool) {
        generation += 1
        let mine = generation
        let previous = chains[user]?.task
        let store = self.store, registry = self.registry
        let task = Task {
            await previous?.value
            let frame = ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: online))
            let contacts = (try? await store.contacts(of: user)) ?? []
            for (_, connections) in registry.connections(of: contacts) {
                for connection in connections { connection.post { $0.sendEphemeral(frame) } }
            }
            await self.chainFinished(user, generation: mine)
        }
        chains[user] = (mine, task)
    }

    private func chainFinished(_ user: Int64, generation: Int) {
        if chains[user]?.generation == generation { chains[user] = nil }
    }
}
