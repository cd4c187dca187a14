import Logging
import PostgresNIO
import Synchronization

/// Device cursors moved by acks, coalesced in memory and upserted in one
/// statement by a background flush (as SQLite writes them with the next
/// batch). Losing the latest ack in a crash only causes a redelivery.
final class CursorBuffer: Sendable {
    struct Key: Hashable, Sendable {
        let user: Int64
        let device: String
    }

    private struct State {
        var pending: [Key: Int64] = [:]
        var flushing: Task<Void, Never>?
        var closed = false
    }

    private let client: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func set(user: Int64, device: String, to seq: Int64) {
        state.withLock { s in
            guard !s.closed else { return }
            s.pending[Key(user: user, device: device)] = seq
            if s.flushing == nil { s.flushing = Task { await self.flushLoop() } }
        }
    }

    func pending(user: Int64, device: String) -> Int64? {
        state.withLock { $0.pending[Key(user: user, device: device)] }
    }

    /// Writes what is pending and stops taking moves.
    func close() async {
        let running = state.withLock { s -> Task<Void, Never>? in
            s.closed = true
            return s.flushing
        }
        await running?.value
        await flushLoop()
    }

    private func flushLoop() async {
        while true {
            let taken = state.withLock { s -> [Key: Int64] in
                let taken = s.pending
                if taken.isEmpty { s.flushing = nil }
                return taken
            }
            if taken.isEmpty { return }
            let users = taken.keys.map(\.user), devices = taken.keys.map(\.device), seqs = taken.keys.map { taken[$0]! }
            do {
                _ = try await client.query("""
                    INSERT INTO devices (user_id, name, acked_seq)
                    SELECT c.u, c.n, c.s FROM unnest(\(users)::bigint[], \(devices)::text[], \(seqs)::bigint[]) AS c(u, n, s)
                    JOIN users ON users.id = c.u
                    ON CONFLICT (user_id, name) DO UPDATE SET acked_seq = excluded.acked_seq
                    """, logger: logger).collect()
                // Moves made during the write stay pending.
                state.withLock { s in
                    for (key, seq) in taken where s.pending[key] == seq { s.pending[key] = nil }
                }
            } catch {
                if state.withLock({ $0.closed }) {
                    logger.error("device cursors lost at close", metadata: ["error": "\(error)"])
                    return
                }
                logger.warning("device cursors not written; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
