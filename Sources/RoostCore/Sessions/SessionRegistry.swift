import RoostProtocol
import RoostStorage

/// Who is connected: user -> device -> connection. It owns only that map;
/// fan-out takes a snapshot here and talks to connections outside the actor,
/// so no push waits on another user's socket.
public actor SessionRegistry {
    private var users: [Int64: [String: ClientConnection]] = [:]
    private var connectionCount = 0

    public init() {}

    /// Registers `connection`; returns the connection of the same device it replaces.
    func register(_ connection: ClientConnection, as identity: Identity) -> ClientConnection? {
        var devices = users[identity.userID, default: [:]]
        let previous = devices[identity.device]
        devices[identity.device] = connection
        users[identity.userID] = devices
        if previous == nil { connectionCount += 1 }
        return previous
    }

    func unregister(_ connection: ClientConnection, as identity: Identity) {
        guard users[identity.userID]?[identity.device] === connection else { return }
        users[identity.userID]?[identity.device] = nil
        if users[identity.userID]?.isEmpty == true { users[identity.userID] = nil }
        connectionCount -= 1
    }

    func connections(of user: Int64) -> [ClientConnection] {
        guard let devices = users[user] else { return [] }
        return Array(devices.values)
    }

    func connections(of userIDs: [Int64]) -> [(Int64, [ClientConnection])] {
        userIDs.compactMap { user in users[user].map { (user, Array($0.values)) } }
    }

    public func isOnline(_ user: Int64) -> Bool { users[user] != nil }

    public var counts: (connections: Int, users: Int) { (connectionCount, users.count) }

    /// Pushes committed items to every connected device of their users.
    /// Each item is rendered once per user, whatever the number of devices.
    nonisolated func deliver(_ deliveries: [Delivery]) async {
        guard !deliveries.isEmpty else { return }
        let targets = await connections(of: deliveries.map(\.user))
        guard !targets.isEmpty else { return }
        var byUser: [Int64: [ClientConnection]] = [:]
        for (user, conns) in targets { byUser[user] = conns }
        for delivery in deliveries {
            guard let conns = byUser[delivery.user] else { continue }
            let frame = ServerFrame.item(delivery.item)
            for conn in conns {
                if case .recall(let recall) = delivery.item.body { await conn.noteRecalled(recall.messageID) }
                await conn.offer(seq: delivery.item.seq, frame: frame)
            }
        }
    }
}
