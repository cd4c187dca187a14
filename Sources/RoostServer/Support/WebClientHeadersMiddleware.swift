import Hummingbird

/// Headers for the static web client: a strict Content-Security-Policy (own
/// origin only, images from blob: object URLs, WebSocket to the same host),
/// no framing, no sniffing, and revalidation so an upgraded server's client is
/// picked up at once. API responses are left as they are.
struct WebClientHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let path = request.uri.path
        guard !path.hasPrefix("/api/"), path != "/ws", !path.hasPrefix("/ws?"),
              context.coreContext.endpointPath.value == "FileMiddleware" else { return response }
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' ws: wss:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-cache"
        return response
    }
}
