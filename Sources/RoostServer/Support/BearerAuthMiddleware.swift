import Hummingbird
import RoostCore
import RoostProtocol

/// `Authorization: Bearer JWT` on every route it guards; 401 otherwise.
/// An authenticated user's requests are also rate limited per user.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = RoostRequestContext
    let tokens: TokenService
    var limiter: RateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw RoostError.unauthenticated("missing bearer token")
        }
        var context = context
        let user = try await tokens.authenticate(String(header.dropFirst("Bearer ".count)))
        try limiter?.httpRequest(by: user.id)
        context.user = user
        return try await next(request, context)
    }
}
