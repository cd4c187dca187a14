import Foundation
@testable import RoostProtocol
import Testing

/// Golden JSON for the frames the server writes, and the envelope checks of reads.
@Suite("Protocol codec")
struct CodecTests {
    @Test func messageItemFrame() {
        let record = MessageRecord(messageID: "123", conversation: "u:7", from: "7", to: "9",
                                   content: MessageContent(text: "hi \"there\""), timestamp: 1_700_000_000_000)
        let item = InboxItem(seq: 4, timestamp: 1_700_000_000_001, body: .message(record, clientID: "c-1"))
        #expect(ServerFrame.item(item) == #"{"type":"message","data":{"content":{"text":"hi \"there\""},"conversation":"u:7","from":"7","message_id":"123","timestamp":1700000000000,"to":"9","seq":4,"client_id":"c-1"},"timestamp":1700000000001,"message_id":"123"}"#)
    }

    @Test func recalledRecordHasNoContent() {
        let record = MessageRecord(messageID: "5", conversation: "g:3", from: "1", groupID: "3", content: nil,
                                   timestamp: 10, recalled: true)
        let frame = ServerFrame.item(InboxItem(seq: 1, timestamp: 11, body: .message(record, clientID: nil)))
        #expect(frame == #"{"type":"message","data":{"conversation":"g:3","from":"1","group_id":"3","message_id":"5","recalled":true,"timestamp":10,"seq":1},"timestamp":11,"message_id":"5"}"#)
    }

    @Test func otherItemKindsSpliceTheirSeq() {
        let frame = ServerFrame.item(InboxItem(seq: 9, timestamp: 2, body: .other(type: "friend_event", json: #"{"by":"1","event":"requested","user_id":"1"}"#)))
        #expect(frame == #"{"type":"friend_event","data":{"by":"1","event":"requested","user_id":"1","seq":9},"timestamp":2}"#)
        let empty = ServerFrame.item(InboxItem(seq: 1, timestamp: 2, body: .other(type: "x", json: "{}")))
        #expect(empty == #"{"type":"x","data":{"seq":1},"timestamp":2}"#)
    }

    @Test func ackAndErrorFrames() throws {
        let ack = ServerFrame.ack(ref: "r1", result: SendResult(messageID: "42", seq: 3, timestamp: 99))
        let parsed = try JSONSerialization.jsonObject(with: Data(ack.utf8)) as? [String: Any]
        #expect(parsed?["type"] as? String == "ack")
        #expect(ack.contains(#""data":{"message_id":"42","seq":3,"timestamp":99,"ref":"r1"}"#))
        let error = ServerFrame.error(.notFound("no such user"), ref: nil)
        #expect(error.contains(#""data":{"code":"not_found","message":"no such user"}"#))
        let withRef = ServerFrame.error(.forbidden("no"), ref: "x")
        #expect(withRef.contains(#""data":{"ref":"x","code":"forbidden","message":"no"}"#))
    }

    @Test func envelopeChecks() throws {
        #expect(throws: FrameError.self) { try ClientFrame(json: Data("nope".utf8)) }
        #expect(throws: FrameError.self) { try ClientFrame(json: Data("[]".utf8)) }
        #expect(throws: FrameError.self) { try ClientFrame(json: Data(#"{"type":1}"#.utf8)) }
        let noID = try ClientFrame(json: Data(#"{"type":"heartbeat"}"#.utf8))
        #expect(noID.messageID == nil)
        let longID = try ClientFrame(json: Data(#"{"type":"heartbeat","message_id":"\#(String(repeating: "x", count: 65))"}"#.utf8))
        #expect(longID.messageID == nil)
        do {
            _ = try ClientFrame(json: Data(#"{"type":"send_message","message_id":"m","data":[1]}"#.utf8))
            Issue.record("data that is not an object must be refused")
        } catch {
            #expect(error.ref == "m")
        }
        let frame = try ClientFrame(json: Data(#"{"type":"send_message","message_id":"m","data":{"to":"2","content":{"text":"x"},"extra":true}}"#.utf8))
        let request = try frame.decodeData(SendMessageRequest.self)
        #expect(request.to == "2" && request.content.text == "x")
        let wrongType = try ClientFrame(json: Data(#"{"type":"send_message","message_id":"m","data":{"to":2,"content":{}}}"#.utf8))
        #expect(throws: RoostError.self) { try wrongType.decodeData(SendMessageRequest.self) }
        let missingData = try ClientFrame(json: Data(#"{"type":"sync_offline","message_id":"m"}"#.utf8))
        #expect(try missingData.decodeData(SyncRequest.self).since == nil)
    }

    /// `ack` and `send_message` decode their `data` with the envelope (one
    /// parse): same values, and a wrong shape still says which field is wrong.
    @Test func hotFramesDecodeInOnePassWithTheSameAnswers() throws {
        let ack = try ClientFrame(json: Data(#"{"type":"ack","data":{"seq":42}}"#.utf8))
        #expect(ack.preDecoded is AckRequest)
        #expect(try ack.decodeData(AckRequest.self).seq == 42)
        let send = try ClientFrame(json: Data(#"{"type":"send_message","message_id":"m","data":{"group_id":"7","content":{"text":"hi","reply_to":"5","mentions":["1"]}}}"#.utf8))
        let request = try send.decodeData(SendMessageRequest.self)
        #expect(send.preDecoded != nil)
        #expect(request.groupID == "7" && request.content.replyTo == "5" && request.content.mentions == ["1"])
        // Asked for another shape than the one decoded in advance: decoded as asked.
        #expect(try send.decodeData(EmptyRequest.self) is EmptyRequest)
        let wrong = try ClientFrame(json: Data(#"{"type":"send_message","message_id":"m","data":{"to":"2","content":{"text":5}}}"#.utf8))
        #expect(wrong.preDecoded == nil)
        do {
            _ = try wrong.decodeData(SendMessageRequest.self)
            Issue.record("a number as text must be refused")
        } catch {
            #expect(error.code == .badRequest && error.message.contains("content.text"), "\(error.message)")
        }
    }

    @Test func conversationIDs() {
        #expect(Conversation("u:12") == .direct(peer: 12))
        #expect(Conversation("g:5") == .group(5))
        for bad in ["", "u:", "x:1", "u:abc", "g:-1", "u:0"] { #expect(Conversation(bad) == nil, "\(bad)") }
        #expect(Conversation.direct(peer: 3).description == "u:3")
    }

    @Test func deviceNames() {
        #expect(DeviceName.isValid("phone-1.A_b"))
        for bad in ["", "with space", "ü", String(repeating: "a", count: 65)] { #expect(!DeviceName.isValid(bad)) }
    }

    @Test func errorCodesMapToHTTPStatuses() {
        let table = Dictionary(uniqueKeysWithValues: ErrorCode.allCases.map { ($0.rawValue, $0.httpStatus) })
        #expect(table == ["bad_request": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
                          "conflict": 409, "too_large": 413, "rate_limited": 429, "internal": 500])
    }
}

/// The hand-written hot-path JSON must equal what `JSONCodec` writes.
@Suite("Hot-path JSON")
struct JSONTextTests {
    static let samples = ["", "plain", "quote \" backslash \\ slash /", "line\nbreak\r\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
                          "héllo 你好 😀 \u{202E} \u{2028}\u{2029}", String(repeating: "x", count: 300)]

    @Test func stringsAreEscapedLikeJSONEncoder() {
        for sample in Self.samples {
            #expect(JSONText.quoted(sample) == JSONCodec.encodeString(sample), "\(sample.debugDescription)")
        }
    }

    @Test func recordsMatchJSONEncoder() {
        for text in Self.samples {
            let content = MessageContent(text: text, fileID: "f\(text.count)", name: "n \(text)", mime: "image/png",
                                         size: 12, width: 3, height: 4)
            let records = [
                MessageRecord(messageID: "1", conversation: "u:2", from: "3", to: "2", content: content, timestamp: 5),
                MessageRecord(messageID: "1", conversation: "g:2", from: "3", groupID: "2", content: nil, timestamp: 5, recalled: true),
                MessageRecord(messageID: "1", conversation: "u:2", from: "3", content: MessageContent(text: text), timestamp: -1),
                MessageRecord(messageID: "9", conversation: "g:2", from: "3", groupID: "2",
                              content: MessageContent(text: text, replyTo: "8", mentions: ["3", text]), timestamp: 5,
                              editedAt: 7, reactions: ["👍": ["3", "4"], "a": ["5"], text: ["6"]]),
            ]
            for record in records {
                #expect(record.jsonText == JSONCodec.encodeString(record))
            }
            #expect(content.jsonText == JSONCodec.encodeString(content))
            let session = SessionInfo(userID: "12", device: text, headSeq: 7, ackedSeq: -1, epoch: "e\(text)")
            #expect(session.jsonText == JSONCodec.encodeString(session))
            let sent = SendResult(messageID: text, seq: 3, timestamp: 4)
            #expect(sent.jsonText == JSONCodec.encodeString(sent))
            let edit = EditItem(conversation: "u:2", messageID: text, content: content, editedAt: 9, by: "3")
            #expect(edit.jsonText == JSONCodec.encodeString(edit))
        }
        for value in [Int64.min, -1, 0, 9, 10, 1_700_000_000_000, .max] {
            let sent = SendResult(messageID: "m", seq: value, timestamp: ~value)
            #expect(sent.jsonText == JSONCodec.encodeString(sent))
        }
    }

    /// Frames write their own members after the data object's, in one string.
    @Test func framesAddTheirMembersToTheDataObject() throws {
        let result = SendResult(messageID: "77", seq: 3, timestamp: 4)
        let viaText = ServerFrame.ack(ref: "r\"1", resultJSON: JSONCodec.encodeString(result))
        let direct = ServerFrame.ack(ref: "r\"1", result: result)
        func data(_ frame: String) throws -> [String: Any] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any])
            return try #require(object["data"] as? [String: Any])
        }
        #expect(try data(direct) as NSDictionary == data(viaText) as NSDictionary)
        #expect(try data(direct)["ref"] as? String == "r\"1")
        #expect(try data(ServerFrame.ack(ref: "x"))["ref"] as? String == "x")
        #expect(ServerFrame.ack(ref: "x").contains("\"data\":{\"ref\":\"x\"}"))
    }
}
