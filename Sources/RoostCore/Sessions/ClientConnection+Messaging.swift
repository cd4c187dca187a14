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
        case (nil, let group?):
            try await sendToGroup(group, content: content, ref: ref, identity: identity)
        default:
            throw RoostError.badRequest("send_message needs exactly one of `to` and `group_id`")
        }
    }

    /// A group message: membership from the directory's cache, then one
    /// transaction for the message and every member's item, then pushes.
    private func sendToGroup(_ group: String, content: MessageContent, ref: String, identity: Identity) async throws {
        guard let id = parseGroupID(group), let snapshot = try await services.groups.snapshot(id),
              snapshot.isMember(identity.userID) else {
            throw RoostError.forbidden("not a member of this group")
        }
        let outcome = try await services.store.sendGroup(
            GroupSend(from: identity.userID, device: identity.device, clientID: ref, group: id, content: content),
            members: snapshot.info.members, version: snapshot.info.version)
        if let refreshed = outcome.refreshed { services.groups.apply(refreshed) }
        await finishSend(outcome.send, ref: ref, identity: identity, shared: true)
    }

    private func finishSend(_ outcome: SendOutcome, ref: String, identity: Identity, shared: Bool = false) async {
        answerSend(outcome, ref: ref, identity: identity, shared: shared)
        if let peer = firstContactPeer(outcome, identity: identity) {
            await announceContacts(identity.userID, peer)
        }
    }

    /// The sender's ack, its own items held, and the pushes to everyone else.
    private func answerSend(_ outcome: SendOutcome, ref: String, identity: Identity, shared: Bool = false) {
        if !outcome.duplicate { services.metrics.messagesReceived.increment() }
        for delivery in outcome.deliveries where delivery.user == identity.userID {
            markHeld(delivery)
        }
        respond(ref, outcome.result)
        if shared {
            services.registry.deliverShared(outcome.deliveries, except: self)
        } else {
            services.registry.deliver(outcome.deliveries, except: self)
        }
    }

    private func firstContactPeer(_ outcome: SendOutcome, identity: Identity) -> Int64? {
        guard outcome.firstContact else { return nil }
        return outcome.deliveries.first(where: { $0.user != identity.userID })?.user
    }

    /// The two just became contacts: if both are online, each sees the other now.
    private func announceContacts(_ user: Int64, _ peer: Int64) async {
        if (try? await services.store.isBlockedEitherWay(user, peer)) == false {
            await services.presence.contactsAdded(user, peer)
        }
    }

    /// Starts an overlapped `send_message` without a task: the commit
    /// answers through a completion that the writer hands to this
    /// connection's event loop (RoostStore.sendDirect(_:on:completion:)). A
    /// task waiting for the commit was resumed on the global pool and hopped
    /// from there to the loop: a pool thread woken and a second job per
    /// message, and sends of one connection arriving in any order (issue 9).
    /// Returns false, doing nothing, when the request needs more than that
    /// (a group not cached or not the sender's): the task path answers it.
    /// `ref` is in `inbound.answers`; `sendFinished` runs once the send is
    /// answered.
    func startSend(_ request: SendMessageRequest, frame: ClientFrame, ref: String) -> Bool {
        guard let identity else { return false }
        var group: GroupSnapshot?
        switch (request.to, request.groupID) {
        case (_?, nil):
            break
        case (nil, let id?):
            guard let snapshot = parseGroupID(id).flatMap(services.groups.cachedSnapshot),
                  snapshot.isMember(identity.userID) else { return false }
            group = snapshot
        default:
            return false
        }
        guard admit(frame) != nil else {
            sendFinished(ref: ref)
            return true
        }
        do {
            let content = try ContentValidator(maxTextBytes: services.settings.maxTextBytes).validate(request.content)
            if let group {
                let send = GroupSend(from: identity.userID, device: identity.device, clientID: ref, group: group.info.id,
                                     content: content)
                services.store.sendGroup(send, members: group.info.members, version: group.info.version,
                                         on: sink.completionQueue) { [self] result in
                    assumeIsolated { $0.groupSendCommitted(result, ref: ref, identity: identity) }
                }
            } else {
                guard let peer = request.to.flatMap(parseUserID) else { throw RoostError.notFound("no such user") }
                let send = DirectSend(from: identity.userID, device: identity.device, clientID: ref, to: peer,
                                      content: content)
                services.store.sendDirect(send, on: sink.completionQueue) { [self] result in
                    assumeIsolated { $0.sendCommitted(result, ref: ref, identity: identity) }
                }
            }
        } catch {
            fail(clientError(error), ref: ref)
            sendFinished(ref: ref)
        }
        return true
    }

    private func groupSendCommitted(_ result: Result<GroupSendOutcome, any Error>, ref: String, identity: Identity) {
        if case .success(let outcome) = result, let refreshed = outcome.refreshed { services.groups.apply(refreshed) }
        sendCommitted(result.map(\.send), ref: ref, identity: identity, shared: true)
    }

    private func sendCommitted(_ result: Result<SendOutcome, any Error>, ref: String, identity: Identity,
                               shared: Bool = false) {
        switch result {
        case .success(let outcome):
            answerSend(outcome, ref: ref, identity: identity, shared: shared)
            if let peer = firstContactPeer(outcome, identity: identity) {
                // Rare (a pair's first message): later requests still wait for it (sendsSettled).
                Task {
                    await announceContacts(identity.userID, peer)
                    sendFinished(ref: ref)
                }
                return
            }
        case .failure(let error):
            fail(clientError(error), ref: ref)
        }
        sendFinished(ref: ref)
    }

    /// `typing`: relayed to the online peer or online group members (never to
    /// the sender's own devices), at most one per interval per conversation;
    /// never answered, never stored. A group the sender is not in is dropped.
    func relayTyping(_ request: TypingRequest) async {
        guard let identity else { return }
        let key: String
        let targets: [Int64]
        switch (request.to, request.groupID) {
        case (let to?, nil):
            guard let peer = parseUserID(to), peer != identity.userID else { return }
            key = Conversation.direct(peer: peer).description
            targets = [peer]
        case (nil, let group?):
            guard let id = parseGroupID(group), let snapshot = try? await services.groups.snapshot(id),
                  snapshot.isMember(identity.userID) else { return }
            key = Conversation.group(id).description
            targets = snapshot.info.members.filter { $0 != identity.userID }
        default:
            return
        }
        guard services.typing.allow(user: identity.userID, conversation: key) else { return }
        // 1:1 typing is not relayed across a block, either way (PROTOCOL.md 9).
        if key.hasPrefix("u:"), let peer = targets.first,
           (try? await services.store.isBlockedEitherWay(identity.userID, peer)) != false {
            return
        }
        let conversation = key.hasPrefix("g:") ? key : Conversation.direct(peer: identity.userID).description
        let frame = ServerFrame.event(type: "typing", data: TypingEvent(from: String(identity.userID),
                                                                        conversation: conversation))
        for (_, connections) in services.registry.connections(of: targets) {
            for conn in connections { conn.post { $0.sendEphemeral(frame) } }
        }
        await services.cluster.link?.relayTyping(from: identity.userID, conversation: conversation, to: targets)
    }

    func sendEphemeral(_ frame: String) {
        guard identity != nil, welcomed, !isClosed else { return }
        sink.send(frame)
    }
}
