import Hummingbird
import RoostCore
import RoostProtocol

/// HTTP requests per client IP (PROTOCOL.md 7): over the limit a request is
/// answered 429 `rate_limited` before any work is done for it.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = RoostRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try limiter.httpRequest(from: context.remoteIP)
        return try await next(request, context)
    }
}
