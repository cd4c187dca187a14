import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// `send_message`: commit (idempotently), ack the sender, then push to
    /// every connected device of both sides.
    func sendMessage(_ request: SendMessageRequest, ref: String) async throws {
        guard let identity else { return }
        let content = try ContentValidator(maxTextBytes: services.settings.maxTextBytes).validate(request.content)
        switch (request.to, request.groupID) {
        case (let to?, nil):
            guard let peer = parseUserID(to) else { throw RoostError.notFound("no such user") }
            let outcome = try await services.store.sendDirect(DirectSend(
                from: identity.userID, device: identity.device, clientID: ref, to: peer, content: content))
            await finishSend(outcome, ref: ref, identity: identity)
        case (nil, _?):
            throw RoostError.forbidden("not a member of this group")
        default:
            throw RoostError.badRequest("send_message needs exactly one of `to` and `group_id`")
        }
    }

    private func finishSend(_ outcome: SendOutcome, ref: String, identity: Identity) async {
        if !outcome.duplicate { services.metrics.messagesReceived.increment() }
        for delivery in outcome.deliveries where delivery.user == identity.userID {
            markHeld(delivery)
        }
        respond(ref, outcome.result)
        await services.registry.deliver(outcome.deliveries)
    }

    /// `typing`: relayed to the peer's connections, at most one per interval per
    /// conversation; never answered, never stored.
    func relayTyping(_ request: TypingRequest) async {
        guard let identity, let to = request.to, request.groupID == nil,
              let peer = parseUserID(to), peer != identity.userID else { return }
        let key = "u:\(peer)"
        let now = ContinuousClock.now
        if let last = lastTyping[key], now - last < services.settings.typingInterval { return }
        lastTyping[key] = now
        let frame = ServerFrame.event(type: "typing", data: TypingEvent(
            from: String(identity.userID), conversation: Conversation.direct(peer: identity.userID).description))
        for conn in await services.registry.connections(of: peer) {
            await conn.sendEphemeral(frame)
        }
    }

    func sendEphemeral(_ frame: String) {
        guard identity != nil, !isClosed else { return }
        sink.send(frame)
    }
}

struct TypingEvent: Encodable {
    let from: String
    let conversation: String
}
