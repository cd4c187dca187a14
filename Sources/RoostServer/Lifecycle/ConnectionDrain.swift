import RoostCore
import Synchronization

/// Every open WebSocket connection, logged in or not, so a shutdown can close
/// them all with 1001 before the HTTP server stops. Left to itself the
/// framework would close them with 1000, which clients take as "do not
/// reconnect"; PROTOCOL.md section 7 promises 1001.
public final class ConnectionDrain: Sendable {
    private struct State {
        var open: [ObjectIdentifier: ClientConnection] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Tracks `connection`; false once a drain has begun (close it with 1001 at once).
    func register(_ connection: ClientConnection) -> Bool {
        state.withLock { s in
            guard !s.draining else { return false }
            s.open[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    func unregister(_ connection: ClientConnection) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    public var openCount: Int { state.withLock { $0.open.count } }

    /// Refuses new connections, closes the open ones with 1001 and waits (at
    /// most `timeout`) until their sockets are gone.
    public func drain(timeout: Duration) async {
        let open = state.withLock { s -> [ClientConnection] in
            s.draining = true
            return Array(s.open.values)
        }
        for connection in open {
            await connection.goAway()
        }
        let deadline = ContinuousClock.now + timeout
        while openCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
