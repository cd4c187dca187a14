import RoostProtocol
import RoostStorage

/// `GET/POST/DELETE /api/friends`: requests, friendships, and their
/// `friend_event` items to both sides.
public struct FriendService: Sendable {
    let services: RoostServices

    /// Requests (or accepts) a friendship; returns `requested` or `friends`.
    public func request(from user: Int64, to text: String) async throws -> String {
        let peer = try Self.peer(text, of: user)
        let change = try await services.store.requestFriend(from: user, to: peer)
        services.registry.deliver(change.deliveries)
        if change.state == "friends" && !change.deliveries.isEmpty {
            await services.presence.contactsAdded(user, peer)
        }
        return change.state
    }

    /// Ends a friendship or withdraws a request, for both sides.
    public func remove(from user: Int64, to text: String) async throws {
        let change = try await services.store.removeFriend(from: user, to: try Self.peer(text, of: user))
        services.registry.deliver(change.deliveries)
    }

    public func lists(of user: Int64) async throws -> FriendLists {
        try await services.store.friendLists(of: user)
    }

    static func peer(_ text: String, of user: Int64) throws -> Int64 {
        if text == String(user) { throw RoostError.badRequest("you cannot befriend yourself") }
        guard let peer = parseUserID(text) else { throw RoostError.notFound("no such user") }
        return peer
    }
}

extension RoostServices {
    public var friendService: FriendService { FriendService(services: self) }
}
