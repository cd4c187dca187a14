import RoostProtocol

/// The narrow storage interface the rest of Roost sees.
///
/// Everything durable goes through here, so a second backend (PostgreSQL for
/// several nodes) implements this protocol and nothing above it changes. Every
/// mutating call returns only after its transaction is committed.
public protocol RoostStore: GroupStore, HistoryStore, FileStore, FeatureStore, PushStore {
    /// Random id of this database, replaced by a restore (clients resync on change).
    var epoch: String { get }
    /// Whether writes commit in the order they were submitted, when a caller
    /// submits the next before the previous committed (one writer that
    /// batches: yes; a pool of concurrent transactions: no). A connection
    /// overlaps its sends only if so, so that a chat's messages keep the order
    /// they were typed in.
    var commitsInSubmissionOrder: Bool { get }

    // MARK: Accounts
    /// Creates a user; `conflict` if the username is taken.
    func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> UserAccount
    func user(named username: String) async throws -> UserAccount?
    func user(id: Int64) async throws -> UserAccount?
    func userCount() async throws -> Int
    /// Bumps the user's token version (every token issued before stops
    /// working) and, when given, replaces the password hash in the same
    /// transaction. Returns the account as it is now (nil if unknown).
    func revokeTokens(user: Int64, newPasswordHash: String?) async throws -> UserAccount?

    // MARK: Inbox
    /// The user's highest committed seq (0 if none).
    nonisolated(nonsending) func head(of user: Int64) async throws -> Int64
    /// The device's cursor (0 for a new device), including cursor moves not yet flushed.
    nonisolated(nonsending) func cursor(user: Int64, device: String) async throws -> Int64
    /// What a session starts from, read together: the account's token
    /// version (nil when the user is gone), the inbox head and the device cursor.
    nonisolated(nonsending) func sessionStart(user: Int64, device: String) async throws -> SessionStart
    /// Moves a device cursor. Coalesced and written with the next batch: losing
    /// the latest ack in a crash only causes a redelivery, never a loss.
    func setCursor(user: Int64, device: String, to seq: Int64)
    /// Items with seq > `after`, ascending, at most `limit`.
    nonisolated(nonsending) func items(user: Int64, after: Int64, limit: Int) async throws -> [InboxItem]

    // MARK: Messaging
    /// Commits a 1:1 message: idempotency check, the message row and one inbox
    /// item for each side (one for a note to self), in one transaction.
    nonisolated(nonsending) func sendDirect(_ send: DirectSend) async throws -> SendOutcome
    /// `sendDirect`, answered through `completion` on `queue` instead of
    /// resuming a task: for a caller with a thread of its own (a connection's
    /// event loop). The default runs the async form in a task.
    func sendDirect(_ send: DirectSend, on queue: any CompletionQueue,
                    completion: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void)

    // MARK: Operations
    func stats() async throws -> StoreStats
    /// Flushes pending writes and closes the database.
    func close() async throws
}

extension RoostStore {
    public var commitsInSubmissionOrder: Bool { false }

    public func sendDirect(_ send: DirectSend, on queue: any CompletionQueue,
                           completion: @escaping @Sendable (Result<SendOutcome, any Error>) -> Void) {
        queue.complete({ try await sendDirect(send) }, with: completion)
    }

    /// Four reads; a backend that can do them in one overrides this.
    nonisolated(nonsending) public func sessionStart(user: Int64, device: String) async throws -> SessionStart {
        SessionStart(tokenVersion: try await self.user(id: user)?.tokenVersion,
                     head: try await head(of: user), cursor: try await cursor(user: user, device: device),
                     contacts: try await contacts(of: user))
    }
}

/// Where a device's session starts (`RoostStore.sessionStart`).
public struct SessionStart: Sendable, Equatable {
    public let tokenVersion: Int64?
    public let head: Int64
    public let cursor: Int64
    /// The user's presence contacts (`contacts(of:)`), for the presence
    /// frames of the new session and the user's own `online`.
    public let contacts: [Int64]

    public init(tokenVersion: Int64?, head: Int64, cursor: Int64, contacts: [Int64]) {
        self.tokenVersion = tokenVersion
        self.head = head
        self.cursor = cursor
        self.contacts = contacts
    }
}

public struct UserAccount: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let passwordHash: String
    public let isAdmin: Bool
    public let tokenVersion: Int64
    public let createdAt: Int64
    /// Banned by an admin: no login, no token accepted (PROTOCOL.md 9).
    public let banned: Bool

    public init(id: Int64, username: String, passwordHash: String, isAdmin: Bool, tokenVersion: Int64, createdAt: Int64,
                banned: Bool = false) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.tokenVersion = tokenVersion
        self.createdAt = createdAt
        self.banned = banned
    }
}

/// A validated 1:1 send, as the core hands it to storage.
public struct DirectSend: Sendable {
    public let from: Int64
    public let device: String
    public let clientID: String
    public let to: Int64
    public let content: MessageContent

    public init(from: Int64, device: String, clientID: String, to: Int64, content: MessageContent) {
        self.from = from
        self.device = device
        self.clientID = clientID
        self.to = to
        self.content = content
    }
}

/// An item committed to one user's inbox, to be pushed to that user's devices.
public struct Delivery: Sendable {
    public let user: Int64
    public let item: InboxItem

    public init(user: Int64, item: InboxItem) {
        self.user = user
        self.item = item
    }
}

public struct SendOutcome: Sendable {
    public let result: SendResult
    /// True when the (user, device, message_id) was already committed: nothing new stored.
    public let duplicate: Bool
    /// Items committed by this send, the sender's own copy included.
    public let deliveries: [Delivery]
    /// The first message between two users: they just became contacts (presence).
    public let firstContact: Bool

    public init(result: SendResult, duplicate: Bool, deliveries: [Delivery], firstContact: Bool = false) {
        self.result = result
        self.duplicate = duplicate
        self.deliveries = deliveries
        self.firstContact = firstContact
    }
}

public struct StoreStats: Sendable {
    public let users: Int
    public let messages: Int

    public init(users: Int, messages: Int) {
        self.users = users
        self.messages = messages
    }
}
