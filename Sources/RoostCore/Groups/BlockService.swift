import RoostProtocol
import RoostStorage

/// `/api/blocks` (PROTOCOL.md 9): the store holds the rule (checked inside
/// the send, edit and react transactions); this adds the presence side: two
/// online users who stop sharing presence see each other go offline at once.
public struct BlockService: Sendable {
    let services: RoostServices

    public func block(_ user: Int64, target text: String) async throws -> Int64 {
        if text == String(user) { throw RoostError.badRequest("you cannot block yourself") }
        guard let target = parseUserID(text) else { throw RoostError.notFound("no such user") }
        try await services.store.block(user: user, target: target)
        await services.presence.contactsRemoved(user, target)
        return target
    }

    public func unblock(_ user: Int64, target text: String) async throws {
        guard let target = parseUserID(text) else { return }
        try await services.store.unblock(user: user, target: target)
        if try await services.store.contacts(of: user).contains(target) {
            await services.presence.contactsAdded(user, target)
        }
    }

    public func blocked(by user: Int64) async throws -> [Int64] {
        try await services.store.blockedUsers(of: user)
    }
}

/// Admin bans (PROTOCOL.md 9): the flag and a token revocation in one
/// transaction, then every socket of the user gets `kicked` `banned` and 4401.
public struct BanService: Sendable {
    let services: RoostServices

    /// Returns the account as it is now; nil for an unknown user.
    public func setBanned(_ user: Int64, banned: Bool) async throws -> UserAccount? {
        guard let account = try await services.store.setBanned(user: user, banned: banned) else { return nil }
        if banned { await services.registry.kickAll(of: user, reason: "banned") }
        return account
    }
}

extension RoostServices {
    public var blockService: BlockService { BlockService(services: self) }
    public var banService: BanService { BanService(services: self) }
}
