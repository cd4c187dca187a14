/// Push registrations of offline devices (PROTOCOL.md 9, "Push for offline
/// devices"). A protocol of its own, like `GroupStore`, so a second backend
/// implements it beside `RoostStore` and the push worker depends on nothing else.
public protocol PushStore: Sendable {
    /// Registers (or replaces) the endpoint of `device`. `conflict` when the
    /// user already has `maxPerUser` other devices registered.
    func setPushEndpoint(user: Int64, device: String, endpoint: String, maxPerUser: Int) async throws -> PushRegistration
    /// Removes the endpoint of `device`; false if there was none.
    @discardableResult
    func removePushEndpoint(user: Int64, device: String) async throws -> Bool
    /// Removes the endpoint of `device` only while it is still `endpoint`: an
    /// endpoint answering 410 must not take a newer registration with it.
    func removePushEndpoint(user: Int64, device: String, ifStill endpoint: String) async throws
    /// Removes every endpoint of `user` (a ban, an account deletion).
    func removePushEndpoints(user: Int64) async throws
    /// The user's registrations, by device name.
    func pushEndpoints(user: Int64) async throws -> [PushRegistration]
    /// Users with at least one registration (the worker's filter, loaded at start).
    func usersWithPushEndpoints() async throws -> [Int64]
    /// What a push carries: the user's head and total unread messages, summed
    /// over every conversation as `GET /api/conversations` counts them.
    func pushCounters(user: Int64) async throws -> PushCounters
}

/// One device's push endpoint.
public struct PushRegistration: Sendable, Equatable {
    public let user: Int64
    public let device: String
    public let endpoint: String
    /// Unix milliseconds of the latest `PUT`.
    public let updatedAt: Int64

    public init(user: Int64, device: String, endpoint: String, updatedAt: Int64) {
        self.user = user
        self.device = device
        self.endpoint = endpoint
        self.updatedAt = updatedAt
    }
}

public struct PushCounters: Sendable, Equatable {
    public let headSeq: Int64
    public let unread: Int

    public init(headSeq: Int64, unread: Int) {
        self.headSeq = headSeq
        self.unread = unread
    }
}
