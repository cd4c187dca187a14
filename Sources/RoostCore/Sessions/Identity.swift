import RoostProtocol
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
    /// The token's version: checked again once the session is registered, so
    /// a revocation racing the upgrade cannot leave a socket open.
    public let tokenVersion: Int64?

    public init(identity: Identity, since: Int64?, tokenVersion: Int64? = nil) {
        self.identity = identity
        self.since = since
        self.tokenVersion = tokenVersion
    }
}

/// Why a session could not start although the token was good.
enum SessionRefusal: Error {
    case tooManyDevices(Int)
    /// The token was revoked while the session was being set up.
    case revoked

    var error: RoostError {
        switch self {
        case .tooManyDevices(let max): .conflict("at most \(max) devices of a user may be connected at once")
        case .revoked: .unauthenticated("token revoked")
        }
    }

    var closeCode: CloseCode {
        switch self {
        case .tooManyDevices: .policyViolation
        case .revoked: .unauthenticated
        }
    }
}
