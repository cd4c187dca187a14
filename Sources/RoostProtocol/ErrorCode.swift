/// The stable error codes of PROTOCOL.md section 3, with their HTTP statuses.
///
/// One table, mapped in one place: WebSocket `error` frames and HTTP error bodies
/// both carry `code`, so clients can branch on it without parsing messages.
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case badRequest = "bad_request"
    case unauthenticated
    case forbidden
    case notFound = "not_found"
    case conflict
    case tooLarge = "too_large"
    case rateLimited = "rate_limited"
    case `internal`

    public var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .tooLarge: 413
        case .rateLimited: 429
        case .internal: 500
        }
    }
}

/// A failure a client is told about: a code from the table plus a human message.
///
/// Every layer throws this (or something mapped to it) so that the WebSocket and
/// HTTP front ends render errors the same way.
public struct RoostError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> RoostError { .init(.badRequest, message) }
    public static func unauthenticated(_ message: String = "authentication required") -> RoostError { .init(.unauthenticated, message) }
    public static func forbidden(_ message: String = "forbidden") -> RoostError { .init(.forbidden, message) }
    public static func notFound(_ message: String = "not found") -> RoostError { .init(.notFound, message) }
    public static func conflict(_ message: String) -> RoostError { .init(.conflict, message) }
    public static func tooLarge(_ message: String) -> RoostError { .init(.tooLarge, message) }
    public static func rateLimited(_ message: String = "rate limit exceeded") -> RoostError { .init(.rateLimited, message) }
    public static func `internal`(_ message: String = "internal error") -> RoostError { .init(.internal, message) }
}

/// The body of every HTTP error response: `{"error": {"code", "message"}}`.
public struct HTTPErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public let code: String
        public let message: String
    }
    public let error: Detail

    public init(_ error: RoostError) {
        self.error = .init(code: error.code.rawValue, message: error.message)
    }
}
