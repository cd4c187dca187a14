import Synchronization
import RoostProtocol
import RoostStorage

/// Who is connected: user -> device -> connection.
///
/// Locks, not an actor: every delivery reads this map, and an actor would
/// cost each message two executor hops (there and back) before its push even
/// reaches the recipient's connection. The map is sharded by user
/// (`LockShards`): a lookup holds one shard's lock to copy one user's few
/// connections, so deliveries on different cores rarely meet on a lock and a
/// group's fan-out never holds one for its member list. Pushes are posted to
/// each connection's own executor after the lock is released, so no push
/// waits on another socket.
public final class SessionRegistry: Sendable {
    private let users = LockShards<[Int64: [String: ClientConnection]]> { [:] }
    private let connectionCount = Atomic<Int>(0)
    /// Told of every commit, for devices that are not connected (push).
    public let offline = OfflineNotifierSlot()
    /// Tells other nodes of new heads (several nodes on one PostgreSQL); empty on one node.
    private let publisher = Mutex<(any HeadPublisher)?>(nil)

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
        users.withLock(for: identity.userID) { users in
            var devices = users[identity.userID, default: [:]]
            let previous = devices[identity.device]
            if previous == nil, devices.count >= maxDevices { return .full }
            devices[identity.device] = connection
            users[identity.userID] = devices
            guard let previous else {
                connectionCount.add(1, ordering: .relaxed)
                return .added
            }
            return .replaced(previous)
        }
    }

    /// Whether `user` may connect `device` now (the check before an upgrade).
    public func hasRoom(for user: Int64, device: String, maxDevices: Int) -> Bool {
        guard let devices = devices(of: user) else { return true }
        return devices[device] != nil || devices.count < maxDevices
    }

    func unregister(_ connection: ClientConnection, as identity: Identity) {
        users.withLock(for: identity.userID) { users in
            guard users[identity.userID]?[identity.device] === connection else { return }
            users[identity.userID]?[identity.device] = nil
            if users[identity.userID]?.isEmpty == true { users[identity.userID] = nil }
            connectionCount.subtract(1, ordering: .relaxed)
        }
    }

    func connections(of user: Int64) -> [ClientConnection] {
        devices(of: user).map { Array($0.values) } ?? []
    }

    func connections(of userIDs: [Int64]) -> [(Int64, [ClientConnection])] {
        userIDs.compactMap { user in
            let connections = connections(of: user)
            return connections.isEmpty ? nil : (user, connections)
        }
    }

    /// Ends every connection of `user` with a `kicked` frame and `code`: a
    /// logout, a password change or a ban must not leave a socket open on a
    /// revoked token. Returns how many connections were kicked.
    @discardableResult
    public func kickAll(of user: Int64, reason: String, code: CloseCode = .unauthenticated) async -> Int {
        let targets = connections(of: user)
        for connection in targets { await connection.kick(reason: reason, code: code) }
        return targets.count
    }

    /// How many devices of `user` are connected now.
    public func deviceCount(of user: Int64) -> Int { devices(of: user)?.count ?? 0 }

    public func isOnline(_ user: Int64) -> Bool { devices(of: user) != nil }

    /// Names of the devices of `user` connected to this server now.
    public func connectedDevices(of user: Int64) -> Set<String> {
        devices(of: user).map { Set($0.keys) } ?? []
    }

    public var counts: (connections: Int, users: Int) {
        (connectionCount.load(ordering: .relaxed), users.map(\.count).reduce(0, +))
    }

    /// Pushes committed items to every connected device of their users, but
    /// `origin` (the connection whose request committed them holds its own
    /// items already). Each item is rendered once per user, whatever the
    /// number of devices; each offer is posted to the connection's executor,
    /// not awaited.
    func deliver(_ deliveries: [Delivery], except origin: ClientConnection? = nil) {
        guard !deliveries.isEmpty else { return }
        announceCommitted(deliveries)
        for delivery in deliveries {
            guard let devices = devices(of: delivery.user) else { continue }
            let recalled: String? = if case .recall(let recall) = delivery.item.body { recall.messageID } else { nil }
            // Rendered once per user, and only if a connection other than `origin` takes it.
            var frame: String?
            for conn in devices.values where conn !== origin {
                let text = frame ?? ServerFrame.item(delivery.item)
                frame = text
                conn.postOffer(seq: delivery.item.seq, frame: text, recalled: recalled)
            }
        }
    }

    /// The connections of `user` here by device, nil when none: one shard
    /// lock, and the map is shared with the registry, not copied.
    func devices(of user: Int64) -> [String: ClientConnection]? {
        users.withLock(for: user) { $0[user] }
    }

    // MARK: Several nodes

    public func setPublisher(_ publisher: (any HeadPublisher)?) {
        self.publisher.withLock { $0 = publisher }
    }

    /// Tells those who act on commits beyond this node's sockets: the push
    /// worker (devices not connected) and the other nodes (their connections).
    func announceCommitted(_ deliveries: [Delivery]) {
        offline.notify(deliveries)
        guard let publisher = publisher.withLock({ $0 }) else { return }
        var heads: [Int64: Int64] = [:]
        for delivery in deliveries { heads[delivery.user] = max(heads[delivery.user] ?? 0, delivery.item.seq) }
        // After the commit, off the request path: a late or lost notice costs latency only.
        Task { await publisher.publish(heads) }
    }

    /// Users with at least one connection here.
    public func connectedUsers() -> [Int64] {
        users.map { Array($0.keys) }.flatMap { $0 }
    }

    /// Every (user, device) connected here, for the other nodes' device records.
    public func connectedDeviceList() -> [(user: Int64, device: String)] {
        users.map { users in users.flatMap { user, devices in devices.keys.map { (user, $0) } } }.flatMap { $0 }
    }

    /// Items committed elsewhere (another node): each connection of these users
    /// reads what it has not pushed yet from storage, in order.
    public func headsAdvanced(_ heads: [Int64: Int64]) {
        for (user, conns) in connections(of: Array(heads.keys)) {
            guard let head = heads[user] else { continue }
            for conn in conns { conn.post { $0.headAdvanced(to: head) } }
        }
    }
}

/// Where a node announces the inbox heads its commits moved, for the nodes
/// that hold those users' devices.
public protocol HeadPublisher: Sendable {
    func publish(_ heads: [Int64: Int64]) async
}
