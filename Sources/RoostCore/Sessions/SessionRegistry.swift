import Synchronization
import RoostProtocol
import RoostStorage

/// Who is connected: user -> device -> connection. It owns only that map;
/// fan-out takes a snapshot here and talks to connections outside the actor,
/// so no push waits on another user's socket.
public actor SessionRegistry {
    private var users: [Int64: [String: ClientConnection]] = [:]
    private var connectionCount = 0
    /// Told of every commit, for devices that are not connected (push).
    public nonisolated let offline = OfflineNotifierSlot()
    /// Tells other nodes of new heads (several nodes on one PostgreSQL); empty on
    /// one node. A lock, not actor state: every delivery reads it.
    private nonisolated let publisher = Mutex<(any HeadPublisher)?>(nil)

    public init() {}

    enum Registration {
        case added
        /// The same device was connected: that connection is replaced (and must be kicked).
        case replaced(ClientConnection)
        /// The user already has `maxDevices` other devices connected.
        case full
    }

    /// Registers `connection`, unless it would be the user's device number
    /// `maxDevices + 1` (a reconnect of a connected device always replaces it).
    func register(_ connection: ClientConnection, as identity: Identity, maxDevices: Int = .max) -> Registration {
        var devices = users[identity.userID, default: [:]]
        let previous = devices[identity.device]
        if previous == nil, devices.count >= maxDevices { return .full }
        devices[identity.device] = connection
        users[identity.userID] = devices
        guard let previous else {
            connectionCount += 1
            return .added
        }
        return .replaced(previous)
    }

    /// Whether `user` may connect `device` now (the check before an upgrade).
    public func hasRoom(for user: Int64, device: String, maxDevices: Int) -> Bool {
        guard let devices = users[user] else { return true }
        return devices[device] != nil || devices.count < maxDevices
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

    /// Ends every connection of `user` with a `kicked` frame and `code`: a
    /// logout, a password change or a ban must not leave a socket open on a
    /// revoked token. Returns how many connections were kicked.
    @discardableResult
    public nonisolated func kickAll(of user: Int64, reason: String, code: CloseCode = .unauthenticated) async -> Int {
        let targets = await connections(of: user)
        for connection in targets { await connection.kick(reason: reason, code: code) }
        return targets.count
    }

    /// How many devices of `user` are connected now.
    public func deviceCount(of user: Int64) -> Int { users[user]?.count ?? 0 }

    public func isOnline(_ user: Int64) -> Bool { users[user] != nil }

    /// Names of the devices of `user` connected to this server now.
    public func connectedDevices(of user: Int64) -> Set<String> {
        guard let devices = users[user] else { return [] }
        return Set(devices.keys)
    }

    public var counts: (connections: Int, users: Int) { (connectionCount, users.count) }

    /// Pushes committed items to every connected device of their users.
    /// Each item is rendered once per user, whatever the number of devices.
    nonisolated func deliver(_ deliveries: [Delivery]) async {
        guard !deliveries.isEmpty else { return }
        announceCommitted(deliveries)
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

    // MARK: Several nodes

    public nonisolated func setPublisher(_ publisher: (any HeadPublisher)?) {
        self.publisher.withLock { $0 = publisher }
    }

    /// Tells those who act on commits beyond this node's sockets: the push
    /// worker (devices not connected) and the other nodes (their connections).
    nonisolated func announceCommitted(_ deliveries: [Delivery]) {
        offline.notify(deliveries)
        guard let publisher = publisher.withLock({ $0 }) else { return }
        var heads: [Int64: Int64] = [:]
        for delivery in deliveries { heads[delivery.user] = max(heads[delivery.user] ?? 0, delivery.item.seq) }
        // After the commit, off the request path: a late or lost notice costs latency only.
        Task { await publisher.publish(heads) }
    }

    /// Users with at least one connection here.
    public func connectedUsers() -> [Int64] {
        Array(users.keys)
    }

    /// Items committed elsewhere (another node): each connection of these users
    /// reads what it has not pushed yet from storage, in order.
    public nonisolated func headsAdvanced(_ heads: [Int64: Int64]) async {
        for (user, conns) in await connections(of: Array(heads.keys)) {
            guard let head = heads[user] else { continue }
            for conn in conns { await conn.headAdvanced(to: head) }
        }
    }
}

/// Where a node announces the inbox heads its commits moved, for the nodes
/// that hold those users' devices.
public protocol HeadPublisher: Sendable {
    func publish(_ heads: [Int64: Int64]) async
}
