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
/// and every reconnect resumes by cursor anyway.
struct ClusterRelay: Service, HeadPublisher {
    let store: PostgresStore
    let registry: SessionRegistry
    let pollInterval: Duration
    let logger: Logger
    private let outbox = HeadsOutbox()

    init(store: PostgresStore, registry: SessionRegistry, pollInterval: Duration, logger: Logger) {
        self.store = store
        self.registry = registry
        self.pollInterval = pollInterval
        self.logger = logger
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
        registry.setPublisher(self)
        defer { registry.setPublisher(nil) }
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
                try await store.listenForHeads { heads in registry.headsAdvanced(heads) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Every `pollInterval`: records who is connected here (for the other
    /// nodes' notices) and delivers whatever heads moved without a notice.
    private func refresh() async {
        var recorded: Set<Int64> = []
        while !Task.isCancelled {
            do {
                let connected = Set(registry.connectedUsers())
                try await store.updateConnectedUsers(added: Array(connected.subtracting(recorded)),
                                                     removed: Array(recorded.subtracting(connected)))
                recorded = connected
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
