import Logging
import RoostCore
import RoostPostgres
import ServiceLifecycle
import Synchronization

/// Live delivery between nodes sharing one PostgreSQL (docs/scaling.md).
/// After a commit the registry publishes the moved heads; the nodes holding
/// those users are NOTIFYed on their own channel and read the new items from
/// the database. A lost notice costs latency, never a message: every
/// `pollInterval` this node also reads the heads of all its connected users,
/// and every reconnect resumes by cursor anyway. Presence, typing and device
/// replacement travel on the same channel (`ClusterRelay+Link`).
struct ClusterRelay: Service, HeadPublisher {
    let store: PostgresStore
    let registry: SessionRegistry
    let presence: PresenceTracker
    let slot: ClusterSlot
    let pollInterval: Duration
    let logger: Logger
    private let outbox = HeadsOutbox()

    init(store: PostgresStore, services: RoostServices, pollInterval: Duration, logger: Logger) {
        self.store = store
        self.registry = services.registry
        self.presence = services.presence
        self.slot = services.cluster
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Milliseconds without a beat after which a node counts as dead: its
    /// records are dropped and its users, unless connected elsewhere, announced offline.
    var expiry: Int64 {
        max(5_000, Int64(10 * (pollInterval / .milliseconds(1))))
    }

    /// Heads moved by commits here: merged while a notice is being sent, so
    /// a burst of commits costs a few NOTIFY queries on one connection.
    func publish(_ heads: [Int64: Int64]) async {
        guard outbox.add(heads) else { return }
        while let batch = outbox.take() {
            do {
                try await store.publishHeads(batch)
            } catch {
                logger.warning("could not notify other nodes", metadata: ["error": "\(error)"])
            }
        }
    }

    func run() async throws {
        try? await store.clearConnectedUsers()
        // Beat before the first device claim, so no other node takes our records for orphans.
        _ = try? await store.updateConnectedUsers(added: [], removed: [], expiry: expiry)
        registry.setPublisher(self)
        slot.set(self)
        defer {
            slot.set(nil)
            registry.setPublisher(nil)
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await listen() }
            group.addTask { await refresh() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Keeps LISTENing on this node's channel, reconnecting after a failure.
    private func listen() async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                try await store.listen { notice in await received(notice) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Every `pollInterval`: beats, records who is connected here (for the
    /// other nodes' notices, the device cap and presence), announces the users
    /// of a dead node offline, and delivers whatever heads moved without a
    /// notice. Device records are written whole every tenth round, and after
    /// the others took this node for dead, so a lost update heals.
    private func refresh() async {
        var recordedUsers: Set<Int64> = []
        var recordedDevices: Set<PostgresStore.ConnectedDevice> = []
        var round = 0
        while !Task.isCancelled {
            do {
                let devices = Set(registry.connectedDeviceList().map {
                    PostgresStore.ConnectedDevice(user: $0.user, device: $0.device)
                })
                let connected = Set(devices.map(\.user))
                var beat = try await store.updateConnectedUsers(added: Array(connected.subtracting(recordedUsers)),
                                                                removed: Array(recordedUsers.subtracting(connected)),
                                                                expiry: expiry)
                if beat.revived {
                    beat = try await store.updateConnectedUsers(added: Array(connected), removed: [], expiry: expiry)
                }
                recordedUsers = connected
                if beat.revived || round % 10 == 0 {
                    try await store.updateConnectedDevices(added: Array(devices), removed: [], whole: true)
                } else {
                    try await store.updateConnectedDevices(added: Array(devices.subtracting(recordedDevices)),
                                                           removed: Array(recordedDevices.subtracting(devices)))
                }
                recordedDevices = devices
                round += 1
                if !beat.lostUsers.isEmpty {
                    logger.info("a node stopped beating; its users' records dropped",
                                metadata: ["users": "\(beat.lostUsers.count)"])
                    await presence.usersLost(beat.lostUsers)
                }
                registry.headsAdvanced(try await store.heads(of: Array(connected)))
            } catch {
                if Task.isCancelled { return }
                logger.warning("cluster refresh failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pollInterval)
        }
    }
}

/// Heads waiting to be announced, and whether a sender is at work.
final class HeadsOutbox: Sendable {
    private struct State {
        var heads: [Int64: Int64] = [:]
        var sending = false
    }

    private let state = Mutex(State())

    /// Merges `heads`; true when the caller must send (no one else is).
    func add(_ heads: [Int64: Int64]) -> Bool {
        state.withLock { s in
            s.heads.merge(heads, uniquingKeysWith: max)
            if s.sending { return false }
            s.sending = true
            return true
        }
    }

    /// What to send next; nil (and the sender's turn ends) when nothing is left.
    func take() -> [Int64: Int64]? {
        state.withLock { s in
            guard !s.heads.isEmpty else {
                s.sending = false
                return nil
            }
            defer { s.heads = [:] }
            return s.heads
        }
    }
}
