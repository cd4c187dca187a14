import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// `history`: a page of records, newest first. Reads only; no items.
    func history(_ request: HistoryRequest, ref: String) async throws {
        guard let identity else { return }
        let query = try HistoryQuery(conversation: request.conversation, before: request.before, limit: request.limit)
        let page = try await services.store.history(user: identity.userID, conversation: query.conversation,
                                                    before: query.before, limit: query.limit)
        respond(ref, page)
    }

    /// `read`: moves the read position; the reader's own item is held by this
    /// connection (ack `seq`), the other items are pushed.
    func read(_ request: ReadRequest, ref: String) async throws {
        guard let identity else { return }
        guard let conversation = Conversation(request.conversation) else {
            throw RoostError.badRequest("conversation must be u:<user_id> or g:<group_id>")
        }
        guard let upTo = parseUserID(request.upTo) else { throw RoostError.notFound("no such message in this conversation") }
        let change = try await services.store.markRead(user: identity.userID, conversation: conversation, upTo: upTo,
                                                       groupFanOutCap: services.settings.groupReadReceiptCap)
        await finishChange(change, ref: ref, identity: identity)
    }

    /// `recall`: your own message within the window, or any message of a group you own.
    func recall(_ request: RecallRequest, ref: String) async throws {
        guard let identity else { return }
        guard let id = parseUserID(request.messageID) else { throw RoostError.notFound("no such message") }
        let change = try await services.store.recall(user: identity.userID, messageID: id,
                                                     windowMillis: services.settings.recallWindow.milliseconds)
        await finishChange(change, ref: ref, identity: identity)
    }

    /// The same order as `finishSend`: hold the requester's own items, ack, then push.
    func finishChange(_ change: StateChange, ref: String, identity: Identity) async {
        for delivery in change.deliveries where delivery.user == identity.userID {
            markHeld(delivery)
        }
        respond(ref, SeqResult(seq: change.seq))
        services.registry.deliver(change.deliveries)
    }
}
