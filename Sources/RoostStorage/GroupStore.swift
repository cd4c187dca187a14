import RoostProtocol

/// Groups, membership, friends and 1:1 contacts (issue 3). Every mutation
/// commits the change and its inbox items in one transaction and returns the
/// items as `Delivery`s for the caller to push.
public protocol GroupStore: Sendable {
    // MARK: Groups
    /// Creates a group owned by `owner` with `members` (owner added, duplicates
    /// ignored); `not_found` for an unknown user, `conflict` above `cap`.
    func createGroup(owner: Int64, name: String, members: [Int64], open: Bool, cap: Int) async throws -> GroupChange
    /// Adds `users` (by `actor`, a member; or the user themselves joining an open group).
    /// Users already in are skipped; `forbidden` if `actor` may not add.
    func addMembers(group: Int64, users: [Int64], actor: Int64, cap: Int) async throws -> GroupChange
    /// Removes `user` (leaving when `actor == user`, else the owner removing).
    func removeMember(group: Int64, user: Int64, actor: Int64) async throws -> GroupChange
    /// Owner-only changes of name and/or the open flag.
    func updateGroup(group: Int64, actor: Int64, name: String?, open: Bool?) async throws -> GroupChange
    /// The group with its members in join order, nil if it does not exist.
    func group(id: Int64) async throws -> GroupInfo?
    /// Groups `user` is a member of, oldest first.
    func groups(of user: Int64) async throws -> [GroupInfo]
    /// Commits a group message: idempotency check, one message row and one
    /// inbox item per member. `members` is the caller's cached list at `version`;
    /// if the stored version differs the list is re-read inside the transaction.
    nonisolated(nonsending) func sendGroup(_ send: GroupSend, members: [Int64], version: Int64) async throws -> GroupSendOutcome
    /// `sendGroup`, answered through `completion` on `queue` instead of
    /// resuming a task, as `RoostStore.sendDirect(_:on:completion:)`.
    func sendGroup(_ send: GroupSend, members: [Int64], version: Int64, on queue: any CompletionQueue,
                   completion: @escaping @Sendable (Result<GroupSendOutcome, any Error>) -> Void)

    // MARK: Friends and contacts
    func requestFriend(from: Int64, to: Int64) async throws -> FriendChange
    func removeFriend(from: Int64, to: Int64) async throws -> FriendChange
    func friendLists(of user: Int64) async throws -> FriendLists
    /// Friends and users with whom a 1:1 message was exchanged: who shares presence with `user`.
    func contacts(of user: Int64) async throws -> [Int64]
}

/// A group as stored; `version` grows with every change.
public struct GroupInfo: Sendable, Equatable {
    public let id: Int64
    public var name: String
    public var owner: Int64
    public var open: Bool
    public let createdAt: Int64
    /// In join order (longest-standing first); empty once the group is deleted.
    public var members: [Int64]
    public var version: Int64
    public var deleted: Bool

    public init(id: Int64, name: String, owner: Int64, open: Bool, createdAt: Int64, members: [Int64],
                version: Int64, deleted: Bool = false) {
        self.id = id
        self.name = name
        self.owner = owner
        self.open = open
        self.createdAt = createdAt
        self.members = members
        self.version = version
        self.deleted = deleted
    }

    public var body: GroupBody {
        GroupBody(groupID: String(id), name: name, ownerID: String(owner), memberIDs: members.map(String.init),
                  open: open, createdAt: createdAt)
    }
}

/// The result of a group mutation: the group after it, and the items it added.
public struct GroupChange: Sendable {
    public let group: GroupInfo
    public let deliveries: [Delivery]

    public init(group: GroupInfo, deliveries: [Delivery]) {
        self.group = group
        self.deliveries = deliveries
    }
}

public struct GroupSend: Sendable {
    public let from: Int64
    public let device: String
    public let clientID: String
    public let group: Int64
    public let content: MessageContent

    public init(from: Int64, device: String, clientID: String, group: Int64, content: MessageContent) {
        self.from = from
        self.device = device
        self.clientID = clientID
        self.group = group
        self.content = content
    }
}

public struct GroupSendOutcome: Sendable {
    public let send: SendOutcome
    /// Set when the stored membership differed from the caller's: the fresh state.
    public let refreshed: GroupInfo?

    public init(send: SendOutcome, refreshed: GroupInfo?) {
        self.send = send
        self.refreshed = refreshed
    }
}

public struct FriendChange: Sendable {
    /// `requested`, `friends`, or `none` (after a removal).
    public let state: String
    public let deliveries: [Delivery]

    public init(state: String, deliveries: [Delivery]) {
        self.state = state
        self.deliveries = deliveries
    }
}

public struct FriendLists: Sendable, Equatable {
    public let friends: [Int64]
    public let incoming: [Int64]
    public let outgoing: [Int64]

    public init(friends: [Int64], incoming: [Int64], outgoing: [Int64]) {
        self.friends = friends
        self.incoming = incoming
        self.outgoing = outgoing
    }
}

extension GroupStore {
    public func sendGroup(_ send: GroupSend, members: [Int64], version: Int64, on queue: any CompletionQueue,
                          completion: @escaping @Sendable (Result<GroupSendOutcome, any Error>) -> Void) {
        queue.complete({ try await sendGroup(send, members: members, version: version) }, with: completion)
    }
}
