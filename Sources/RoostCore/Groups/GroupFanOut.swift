import RoostProtocol
import RoostStorage

extension SessionRegistry {
    /// `deliver` for the copies of one group message: one snapshot of the
    /// members' connections from the actor, then a loop outside it that renders
    /// the shared body once and only splices each member's `seq`.
    nonisolated func deliverShared(_ deliveries: [Delivery]) async {
        guard let first = deliveries.first else { return }
        announceCommitted(deliveries)
        let targets = await connections(of: deliveries.map(\.user))
        guard !targets.isEmpty else { return }
        var byUser: [Int64: [ClientConnection]] = [:]
        for (user, conns) in targets { byUser[user] = conns }
        let renderer = SharedItemRenderer(body: first.item.body)
        for delivery in deliveries {
            guard let conns = byUser[delivery.user] else { continue }
            let frame = renderer.frame(seq: delivery.item.seq, timestamp: delivery.item.timestamp)
            for conn in conns {
                await conn.offer(seq: delivery.item.seq, frame: frame)
            }
        }
    }
}
