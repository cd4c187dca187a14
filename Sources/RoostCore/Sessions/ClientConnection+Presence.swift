import RoostProtocol

extension ClientConnection {
    /// After `welcome` or the `login` ack: counts this connection as online and
    /// sends one `presence` frame per online contact.
    func joinPresence() async {
        guard let identity, !isClosed, !presenceJoined else { return }
        presenceJoined = true
        let online = await services.presence.connected(identity.userID, contacts: startContacts)
        for user in online {
            sendEphemeral(ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: true)))
        }
    }
}
