import Foundation
import RoostProtocol
import Testing

/// The group fan-out renders a shared body once; its frames must be exactly
/// what `ServerFrame.item` writes for each copy.
@Suite("Shared item renderer")
struct SharedItemRendererTests {
    @Test func framesAreIdenticalToServerFrameItem() {
        let record = MessageRecord(messageID: "42", conversation: "g:7", from: "1", groupID: "7",
                                   content: MessageContent(text: "hé \"there\""), timestamp: 1_700_000_000_000)
        let bodies: [ItemBody] = [
            .message(record, clientID: "c-1"),
            .recall(RecallItem(conversation: "g:7", messageID: "42", by: "1")),
            .other(type: "group_event", json: #"{"by":"1","event":"joined","group_id":"7","user_id":"2"}"#),
        ]
        for body in bodies {
            let renderer = SharedItemRenderer(body: body)
            for seq: Int64 in [1, 99] {
                let item = InboxItem(seq: seq, timestamp: 1_700_000_000_001, body: body)
                #expect(renderer.frame(seq: seq, timestamp: item.timestamp) == ServerFrame.item(item))
            }
        }
    }
}
