import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// The request context of every route: the authenticated user (set by
/// `BearerAuthMiddleware`).
public struct RoostRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: UserAccount?
    /// The client's IP address, the key of per-IP rate limits.
    public let remoteIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.user = nil
        self.remoteIP = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated user; routes behind `BearerAuthMiddleware` always have one.
    func requireUser() throws -> UserAccount {
        guard let user else { throw RoostError.unauthenticated() }
        return user
    }
}
