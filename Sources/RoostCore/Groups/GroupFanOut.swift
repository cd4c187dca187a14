import RoostProtocol
import RoostStorage

extension SessionRegistry {
    /// `deliver` for the copies of one group message: one snapshot of the
    /// members' connections, then a loop that renders the shared body once,
    /// splices each member's `seq` and posts the frame to each connection
    /// but `origin` (the sender's, which holds its copy already).
    func deliverShared(_ deliveries: [Delivery], except origin: ClientConnection? = nil) {
        guard let first = deliveries.first else { return }
        announceCommitted(deliveries)
        let byUser = recipients(of: deliveries, except: origin)
        guard !byUser.isEmpty else { return }
        let renderer = SharedItemRenderer(body: first.item.body)
        for delivery in deliveries {
            guard let conns = byUser[delivery.user] else { continue }
            let seq = delivery.item.seq
            let frame = renderer.frame(seq: seq, timestamp: delivery.item.timestamp)
            for conn in conns { conn.post { $0.offer(seq: seq, frame: frame) } }
        }
    }
}
