import RoostProtocol

/// What other nodes ask of this node's connections (several nodes on one
/// PostgreSQL): ephemeral frames for users connected here, and the end of a
/// device that connected again through another node.
extension SessionRegistry {
    /// Sends `frame` (presence, typing) to every connection of `users` here.
    public func sendEphemeral(_ frame: String, to users: [Int64]) {
        for (_, connections) in connections(of: users) {
            for connection in connections { connection.post { $0.sendEphemeral(frame) } }
        }
    }

    /// Kicks `device` of `user` with `replaced` (PROTOCOL.md 7): it connected
    /// again through another node. Returns whether a connection was kicked.
    @discardableResult
    public func replaceDevice(of user: Int64, device: String) async -> Bool {
        var kicked = false
        for connection in connections(of: user) where await connection.registered?.device == device {
            await connection.kick(reason: "replaced", code: .replaced)
            kicked = true
        }
        return kicked
    }
}
