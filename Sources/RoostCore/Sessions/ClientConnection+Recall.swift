import Foundation
import RoostProtocol

/// Frames rendered before a recall still carry the content: pushes in flight
/// (retried later), frames waiting for room in the window, and a send's push
/// that reaches the registry after its recall (the recall can follow the ack
/// before the send's fan-out runs). Each is rewritten to the recalled record,
/// as storage would now render it.
extension ClientConnection {
    /// A `recall` item for this user: rewrite what is held, remember the id.
    func noteRecalled(_ messageID: String) {
        recalledIDs.insert(messageID)
        window.rewriteFrames { Self.recalledFrame($0, messageID: messageID) }
    }

    /// The recalled form of `frame` if it is a message item of a recalled id.
    func redactedIfRecalled(_ frame: String) -> String? {
        guard !recalledIDs.isEmpty, frame.hasPrefix(Self.messagePrefix), frame.hasSuffix("\"}"),
              let key = frame.range(of: ",\"message_id\":\"", options: .backwards) else { return nil }
        let id = String(frame[key.upperBound..<frame.index(frame.endIndex, offsetBy: -2)])
        return recalledIDs.contains(id) ? Self.recalledFrame(frame, messageID: id) : nil
    }

    private static let messagePrefix = "{\"type\":\"message\""

    /// Message item frames end with the envelope's `message_id` (FrameJSON in RoostProtocol).
    static func recalledFrame(_ frame: String, messageID: String) -> String? {
        guard frame.hasPrefix(messagePrefix), frame.hasSuffix(",\"message_id\":\"\(messageID)\"}"),
              var object = (try? JSONSerialization.jsonObject(with: Data(frame.utf8))) as? [String: Any],
              var data = object["data"] as? [String: Any] else { return nil }
        data["content"] = nil
        data["recalled"] = true
        object["data"] = data
        guard let encoded = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: encoded, as: UTF8.self)
    }
}

/// A bounded set that forgets its oldest entries.
struct RecentSet {
    let capacity: Int
    private var order: [String] = []
    private var members: Set<String> = []

    init(capacity: Int) { self.capacity = capacity }

    var isEmpty: Bool { members.isEmpty }

    func contains(_ element: String) -> Bool { members.contains(element) }

    mutating func insert(_ element: String) {
        guard members.insert(element).inserted else { return }
        order.append(element)
        if order.count > capacity { members.remove(order.removeFirst()) }
    }
}
