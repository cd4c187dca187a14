import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// `join_group`: the ack carries the group and, when the requester was
    /// added, `seq` of its own `joined` item (held, not pushed here).
    func joinGroup(_ request: GroupRequest, ref: String) async throws {
        guard let identity else { return }
        let change = try await services.groupService.join(group: request.groupID, user: identity.userID)
        await finishGroupChange(change, ref: ref, identity: identity)
    }

    /// `leave_group`: the ack carries the group after the change (no members if
    /// it was deleted) and `seq` of the leaver's own `left` item.
    func leaveGroup(_ request: GroupRequest, ref: String) async throws {
        guard let identity else { return }
        let change = try await services.groupService.leave(group: request.groupID, user: identity.userID)
        await finishGroupChange(change, ref: ref, identity: identity)
    }

    private func finishGroupChange(_ change: GroupChange, ref: String, identity: Identity) async {
        var seq: Int64?
        for delivery in change.deliveries where delivery.user == identity.userID {
            markHeld(delivery)
            seq = max(seq ?? 0, delivery.item.seq)
        }
        respond(ref, GroupAckResult(group: change.group.body, seq: seq))
        await services.groupService.publish(change)
    }
}
