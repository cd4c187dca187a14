import Synchronization

/// What a node asks of the other nodes sharing its PostgreSQL (docs/scaling.md):
/// where devices are connected, and the ephemeral events (presence, typing)
/// for users connected elsewhere. Not set on one node, where the registry is
/// the whole truth.
public protocol ClusterLink: Sendable {
    /// Records `device` of `user` as connected here, unless the user already
    /// has `maxDevices` other devices connected on any node (then false). A
    /// node holding the same device learns it was replaced and kicks it.
    func claimDevice(user: Int64, device: String, maxDevices: Int) async throws -> Bool

    /// Forgets this node's record of `user`'s devices (the last one is gone),
    /// before presence asks whether the user is online elsewhere.
    func userLeft(_ user: Int64) async

    /// Those of `users` with a device connected on another live node.
    func onlineElsewhere(_ users: [Int64]) async -> Set<Int64>

    /// Sends `user`'s presence change to those of `viewers` connected on other nodes.
    func relayPresence(of user: Int64, online: Bool, to viewers: [Int64]) async

    /// Sends a typing event to those of `targets` connected on other nodes.
    func relayTyping(from user: Int64, conversation: String, to targets: [Int64]) async
}

/// The node's link to the others, set while the cluster relay runs. A lock,
/// not actor state: presence and typing read it on every event.
public final class ClusterSlot: Sendable {
    private let current = Mutex<(any ClusterLink)?>(nil)

    public init() {}

    public var link: (any ClusterLink)? { current.withLock { $0 } }

    public func set(_ link: (any ClusterLink)?) {
        current.withLock { $0 = link }
    }
}
