/// Who a connection speaks for, once authenticated.
public struct Identity: Sendable {
    public let userID: Int64
    public let device: String

    public init(userID: Int64, device: String) {
        self.userID = userID
        self.device = device
    }
}

/// What the upgrade check established from `?token=&device=&since=`.
public struct UpgradeGrant: Sendable {
    public let identity: Identity
    public let since: Int64?

    public init(identity: Identity, since: Int64?) {
        self.identity = identity
        self.since = since
    }
}
