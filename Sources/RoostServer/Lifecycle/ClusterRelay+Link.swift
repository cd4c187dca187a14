import Logging
import RoostCore
import RoostPostgres
import RoostProtocol

/// The ephemeral side of several nodes: device claims, presence and typing
/// for users connected elsewhere, and the notices other nodes send here.
extension ClusterRelay: ClusterLink {
    func claimDevice(user: Int64, device: String, maxDevices: Int) async throws -> Bool {
        try await store.claimDevice(user: user, device: device, maxDevices: maxDevices, expiry: expiry)
    }

    func userLeft(_ user: Int64) async {
        do {
            try await store.forgetDevices(of: user, keeping: Array(registry.connectedDevices(of: user)))
        } catch {
            logger.warning("could not forget a user's devices", metadata: ["error": "\(error)"])
        }
    }

    func onlineElsewhere(_ users: [Int64]) async -> Set<Int64> {
        guard !users.isEmpty else { return [] }
        do {
            return try await store.onlineElsewhere(users, expiry: expiry)
        } catch {
            logger.warning("could not read presence on other nodes", metadata: ["error": "\(error)"])
            return []
        }
    }

    func relayPresence(of user: Int64, online: Bool, to viewers: [Int64]) async {
        guard !viewers.isEmpty else { return }
        await notify(.presence(user: user, online: online, viewers: viewers))
    }

    func relayTyping(from user: Int64, conversation: String, to targets: [Int64]) async {
        guard !targets.isEmpty else { return }
        // Off the sender's connection: typing is best effort and must not wait for a query.
        Task { await notify(.typing(user: user, conversation: conversation, viewers: targets)) }
    }

    private func notify(_ notice: ClusterNotice) async {
        do {
            try await store.notifyViewers(notice)
        } catch {
            logger.warning("could not notify other nodes", metadata: ["error": "\(error)"])
        }
    }

    /// A notice on this node's channel.
    func received(_ notice: ClusterNotice) async {
        switch notice {
        case .heads(let heads):
            registry.headsAdvanced(heads)
        case .presence(let user, let online, let viewers):
            let frame = ServerFrame.event(type: "presence", data: PresenceStatus(userID: String(user), online: online))
            registry.sendEphemeral(frame, to: viewers)
        case .typing(let user, let conversation, let viewers):
            let frame = ServerFrame.event(type: "typing", data: TypingEvent(from: String(user), conversation: conversation))
            registry.sendEphemeral(frame, to: viewers)
        case .replaced(let user, let device):
            // Unless the device has connected here again since (the latest claim is ours).
            if (try? await store.deviceNode(user: user, device: device)) != store.node {
                await registry.replaceDevice(of: user, device: device)
            }
        }
    }
}
