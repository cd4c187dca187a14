import Hummingbird
import RoostProtocol

/// Renders every error as `{"error": {"code", "message"}}`: our own errors as
/// they are, the framework's (unknown route, wrong method) mapped by status,
/// anything else as `internal` without details.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RoostError {
            return JSONBody(status: error.status, HTTPErrorBody(error)).response()
        } catch let error as any HTTPResponseError {
            let code = ErrorCode.allCases.first { $0.httpStatus == Int(error.status.code) }
            let mapped = RoostError(code ?? .badRequest, error.status.reasonPhrase.lowercased())
            return JSONBody(status: error.status, HTTPErrorBody(mapped)).response()
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return JSONBody(status: .internalServerError, HTTPErrorBody(.internal())).response()
        }
    }
}
