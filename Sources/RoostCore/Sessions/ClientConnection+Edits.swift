import RoostProtocol
import RoostStorage

/// `edit` and `react` (PROTOCOL.md 9): validated here, ruled on and committed
/// by storage, then acked and pushed like every other state change.
extension ClientConnection {
    func edit(_ request: EditRequest, ref: String) async throws {
        guard let identity else { return }
        guard let id = parseUserID(request.messageID) else { throw RoostError.notFound("no such message") }
        let content = try ContentValidator(maxTextBytes: services.settings.maxTextBytes).validate(request.content)
        let outcome = try await services.store.edit(MessageEdit(
            user: identity.userID, messageID: id, content: content,
            windowMillis: services.settings.editWindow.milliseconds))
        for delivery in outcome.change.deliveries where delivery.user == identity.userID {
            markHeld(delivery)
        }
        respond(ref, EditResult(seq: outcome.change.seq ?? 0, editedAt: outcome.editedAt))
        services.registry.deliver(outcome.change.deliveries)
    }

    func react(_ request: ReactRequest, ref: String) async throws {
        guard let identity else { return }
        guard (1...16).contains(request.emoji.unicodeScalars.count) else {
            throw RoostError.badRequest("emoji must be 1-16 Unicode scalars")
        }
        guard let id = parseUserID(request.messageID) else { throw RoostError.notFound("no such message") }
        let change = try await services.store.react(user: identity.userID, messageID: id, emoji: request.emoji,
                                                    remove: request.remove ?? false,
                                                    maxPerUser: services.settings.maxReactionsPerUser)
        await finishChange(change, ref: ref, identity: identity)
    }
}

extension Duration {
    /// Whole milliseconds (the protocol's unit of time).
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
