/// WebSocket close codes of PROTOCOL.md section 7.
public enum CloseCode: UInt16, Sendable {
    case goingAway = 1001
    /// A frame out of the WebSocket protocol's sequence (RFC 6455).
    case protocolError = 1002
    /// Policy violation: used for a slow consumer whose outbound queue overflowed.
    case slowConsumer = 1008
    case frameTooLarge = 1009
    /// The server failed to start the session (a storage error): the token
    /// is fine, the client reconnects later instead of logging in again.
    case internalError = 1011
    case unauthenticated = 4401
    case idle = 4408
    case replaced = 4409
    case unacked = 4410

    /// 1008 as well: persistent abuse (rate-limited again and again), too many devices.
    public static let policyViolation = CloseCode.slowConsumer
}
