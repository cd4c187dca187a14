import RoostProtocol
import RoostStorage

/// The group operations shared by HTTP routes and WebSocket requests: input
/// rules, the storage write, then the membership cache. Pushing the items is
/// the caller's last step (`publish`), so a WebSocket requester can first mark
/// its own item as held.
///
/// Whatever the reason (no such group, not a member, malformed id), a user
/// outside a group gets the same `forbidden`: nothing leaks about its existence.
public struct GroupService: Sendable {
    /// Names are 1-100 characters and not only whitespace.
    public static let maxNameLength = 100

    let services: RoostServices

    var store: any RoostStore { services.store }
    var directory: GroupDirectory { services.groups }
    var cap: Int { services.settings.groupMemberCap }

    public func create(owner: Int64, name: String?, memberIDs: [String], open: Bool) async throws -> GroupChange {
        let name = try Self.validName(name)
        let members = try memberIDs.map { text in
            guard let id = parseUserID(text) else { throw RoostError.notFound("no such user: \(text)") }
            return id
        }
        return try await applied(store.createGroup(owner: owner, name: name, members: members, open: open, cap: cap))
    }

    /// `join_group`: anyone may join an open group; joining a group you are in changes nothing.
    public func join(group: String, user: Int64) async throws -> GroupChange {
        try await applied(store.addMembers(group: try Self.groupID(group), users: [user], actor: user, cap: cap))
    }

    public func leave(group: String, user: Int64) async throws -> GroupChange {
        try await applied(store.removeMember(group: try Self.groupID(group), user: user, actor: user))
    }

    /// Any member may add users; users already in are skipped.
    public func add(group: String, userIDs: [String], actor: Int64) async throws -> GroupChange {
        let id = try Self.groupID(group)
        guard try await directory.snapshot(id)?.isMember(actor) == true else { throw Self.forbidden }
        let users = try userIDs.map { text in
            guard let user = parseUserID(text) else { throw RoostError.notFound("no such user: \(text)") }
            return user
        }
        return try await applied(store.addMembers(group: id, users: users, actor: actor, cap: cap))
    }

    /// The owner removes `user`; removing yourself is leaving.
    public func remove(group: String, user: String, actor: Int64) async throws -> GroupChange {
        let id = try Self.groupID(group)
        guard try await directory.snapshot(id)?.isMember(actor) == true else { throw Self.forbidden }
        guard let target = parseUserID(user) else { throw RoostError.notFound("not a member of this group") }
        return try await applied(store.removeMember(group: id, user: target, actor: actor))
    }

    /// The owner renames and/or opens or closes the group.
    public func update(group: String, actor: Int64, name: String?, open: Bool?) async throws -> GroupChange {
        let id = try Self.groupID(group)
        let newName = try name.map { try Self.validName($0) }
        return try await applied(store.updateGroup(group: id, actor: actor, name: newName, open: open))
    }

    /// The group as a member sees it (from the cache).
    public func view(group: String, viewer: Int64) async throws -> GroupInfo {
        guard let snapshot = try await directory.snapshot(try Self.groupID(group)), snapshot.isMember(viewer) else {
            throw Self.forbidden
        }
        return snapshot.info
    }

    public func list(of user: Int64) async throws -> [GroupInfo] {
        try await store.groups(of: user)
    }

    /// Pushes a change's items to every connected device of their users.
    public func publish(_ change: GroupChange) async {
        services.registry.deliver(change.deliveries)
    }

    private func applied(_ change: GroupChange) async -> GroupChange {
        directory.apply(change.group)
        return change
    }

    static var forbidden: RoostError { .forbidden("not a member of this group") }

    static func groupID(_ text: String) throws -> Int64 {
        guard let id = parseGroupID(text) else { throw forbidden }
        return id
    }

    static func validName(_ name: String?) throws -> String {
        guard let name, !name.allSatisfy(\.isWhitespace), name.count <= maxNameLength else {
            throw RoostError.badRequest("name must be 1-\(maxNameLength) characters, not only whitespace")
        }
        return name
    }
}

extension RoostServices {
    public var groupService: GroupService { GroupService(services: self) }
}
