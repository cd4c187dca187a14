/// Renders the frames of items that carry one body for many holders (a group
/// message's per-member copies differ only in `seq`): the body is encoded once
/// and each frame splices its own `seq`, byte-identical to `ServerFrame.item`.
public struct SharedItemRenderer: Sendable {
    let type: String
    let bodyJSON: String
    let clientID: String?
    let messageID: String?

    public init(body: ItemBody) {
        type = body.type
        messageID = body.messageID
        let data: FrameJSON.Data
        (data, clientID) = body.frameData
        bodyJSON = String(json: data)
    }

    public func frame(seq: Int64, timestamp: Int64) -> String {
        String(json: FrameJSON(type: type, data: .object(bodyJSON), seq: seq, clientID: clientID,
                               timestamp: timestamp, messageID: messageID))
    }
}
