import HTTPTypes
import Hummingbird
import Logging
import Metrics
import RoostProtocol

/// Counts and times every HTTP request by route and status for `/metrics`,
/// and returns the request id in `X-Request-ID` so a client's
/// report can be matched with the log. The route is the pattern
/// (`/api/users/{username}`), never the concrete path or the query string,
/// so neither a token nor a user name ends up in a label or a log line.
struct RequestObserverMiddleware: RouterMiddleware {
    typealias Context = RoostRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        let requestID = context.logger[metadataKey: "hb.request.id"].map { "\($0)" }
        do {
            var response = try await next(request, context)
            record(route: route, method: request.method.rawValue, status: response.status.code, started: started)
            if let requestID { response.headers[.requestID] = requestID }
            return response
        } catch {
            let status: Int
            if let roost = error as? RoostError {
                status = roost.code.httpStatus
                Counter(label: "roost_errors_total", dimensions: [("code", roost.code.rawValue)]).increment()
            } else if let http = error as? any HTTPResponseError {
                status = http.status.code
            } else {
                status = 500
                Counter(label: "roost_errors_total", dimensions: [("code", "internal")]).increment()
            }
            // ErrorBodyMiddleware turns it into a response and logs server errors.
            record(route: route, method: request.method.rawValue, status: status, started: started)
            throw error
        }
    }

    private func record(route: String, method: String, status: Int, started: ContinuousClock.Instant) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Counter(label: "roost_http_requests_total", dimensions: dimensions).increment()
        let elapsed = ContinuousClock.now - started
        Metrics.Timer(label: "roost_http_request_duration_seconds", dimensions: [("route", route)])
            .recordNanoseconds(elapsed.nanoseconds)
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
}
