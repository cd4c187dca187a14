import RoostProtocol

extension ClientConnection {
    /// The server is stopping: close with 1001 so the client reconnects later.
    /// Unacked items stay in the inbox and are pushed again on the next login.
    public func goAway() {
        close(.goingAway, reason: "server shutting down")
    }
}

extension SessionRegistry {
    /// Ends every connection of `user` with a `kicked` frame and close 4401
    /// (`revoked`, `deleted`): used when an admin revokes or removes an account.
    public func kickAll(of user: Int64, reason: String) async {
        for connection in connections(of: user) {
            await connection.kick(reason: reason, code: .unauthenticated)
        }
    }
}
