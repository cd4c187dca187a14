import RoostProtocol

extension ClientConnection {
    /// The server is stopping: close with 1001 so the client reconnects later.
    /// Unacked items stay in the inbox and are pushed again on the next login.
    public func goAway() {
        close(.goingAway, reason: "server shutting down")
    }
}

extension ClientConnection {
    /// Kicks this connection unless it was authenticated with a token of
    /// `current` or newer (nil: kick whatever the token).
    func kickIfStale(current: Int64?, reason: String) {
        if let current, let tokenVersion, tokenVersion >= current { return }
        kick(reason: reason, code: .unauthenticated)
    }
}

extension SessionRegistry {
    /// After a revocation made elsewhere (the admin CLI): closes the user's
    /// sockets opened with older tokens, with `kicked` `reason` and 4401.
    public func kickStale(of user: Int64, current: Int64?, reason: String) async {
        for connection in connections(of: user) {
            await connection.kickIfStale(current: current, reason: reason)
        }
    }
}
