import RoostProtocol
import RoostStorage

extension SessionRegistry {
    /// `deliver` for the copies of one group message: renders the shared
    /// body once (when the first member with a connection here comes up),
    /// splices each member's `seq` and posts the frame to each connection
    /// but `origin` (the sender's, which holds its copy already).
    func deliverShared(_ deliveries: [Delivery], except origin: ClientConnection? = nil) {
        guard let first = deliveries.first else { return }
        announceCommitted(deliveries)
        var renderer: SharedItemRenderer?
        for delivery in deliveries {
            guard let devices = devices(of: delivery.user) else { continue }
            var frame: String?
            for conn in devices.values where conn !== origin {
                let shared = renderer ?? SharedItemRenderer(body: first.item.body)
                renderer = shared
                let text = frame ?? shared.frame(seq: delivery.item.seq, timestamp: delivery.item.timestamp)
                frame = text
                conn.postOffer(seq: delivery.item.seq, frame: text)
            }
        }
    }
}
