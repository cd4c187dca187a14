import Foundation
@testable import RoostProtocol
import Testing

/// The fast reading of `send_message` and `ack` frames must agree with
/// JSONDecoder on everything it accepts, and leave everything else to it.
@Suite("Fast envelope")
struct FastEnvelopeTests {
    @Test func thePlainFormsTakeTheFastPath() throws {
        let send = #"{"type":"send_message","message_id":"p1-abc-7","data":{"to":"42","content":{"text":"b:0:7:123"}},"timestamp":1700000000000}"#
        let fast = try #require(Self.fast(send))
        #expect(fast.type == "send_message")
        let request = try #require(fast.preDecoded as? SendMessageRequest)
        #expect(request.to == "42" && request.groupID == nil && request.content == MessageContent(text: "b:0:7:123"))

        let ack = try #require(Self.fast(#" { "type" : "ack" , "data" : { "seq" : 9007199254740993 } } "#))
        #expect((ack.preDecoded as? AckRequest)?.seq == 9_007_199_254_740_993)

        let file = #"{"data":{"group_id":"5","content":{"file_id":"f1","name":"ü.png","mime":"image/png","size":10,"width":3,"height":-4,"reply_to":"77","mentions":["1","2"]}},"type":"send_message","message_id":"x"}"#
        let decoded = try #require(Self.fast(file)?.preDecoded as? SendMessageRequest)
        #expect(decoded.content.mentions == ["1", "2"] && decoded.content.height == -4 && decoded.content.name == "ü.png")
    }

    @Test func anythingUnusualIsLeftToJSONDecoder() {
        for frame in [
            #"{"type":"send_message","data":{"to":"1","content":{"text":"a \"quote\""}}}"#,   // escape
            #"{"type":"ack","data":{"seq":1.0}}"#,                                               // fraction
            #"{"type":"ack","data":{"seq":1e3}}"#,                                               // exponent
            #"{"type":"ack","data":{"seq":01}}"#,                                                // leading zero
            #"{"type":"ack","data":{"seq":9223372036854775808}}"#,                               // beyond Int64
            #"{"type":"ack","data":{"seq":1,"seq":2}}"#,                                         // repeated key
            #"{"type":"ack","data":{"seq":1},"extra":true}"#,                                    // unknown key
            #"{"type":"ack","data":null}"#,                                                      // null
            #"{"type":"ack"}"#,                                                                  // no data
            #"{"type":"heartbeat","data":{}}"#,                                                  // another type
            #"{"type":"ack","data":{"seq":1}} x"#,                                               // trailing bytes
            #"{"type":"ack","data":{"seq":1}"#,                                                  // truncated
        ] {
            #expect(Self.fast(frame) == nil, "\(frame)")
        }
        let invalidUTF8 = Data(#"{"type":"send_message","data":{"to":"1","content":{"text":""#.utf8) + Data([0xC3, 0x28])
            + Data(#""}}}"#.utf8)
        #expect(invalidUTF8.withUnsafeBytes(FastEnvelope.scan) == nil)
    }

    /// Generated frames, most of them plain, some mutated: whatever the fast
    /// path accepts decodes to the same frame through JSONDecoder.
    @Test func agreesWithJSONDecoderOnGeneratedFrames() throws {
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        let total = 4_000
        for _ in 0..<total {
            var text = Self.randomFrame(&generator)
            if Int.random(in: 0..<4, using: &generator) == 0 { text = Self.mutate(text, &generator) }
            let raw = Data(text.utf8)
            guard let fast = raw.withUnsafeBytes(FastEnvelope.scan) else { continue }
            accepted += 1
            let slow = try #require(try? ClientFrame(decoding: raw), "JSONDecoder refused what the fast path took: \(text)")
            let fastID: String? = if case .some(.valid(let id)) = fast.messageID { id } else { nil }
            #expect(slow.type == fast.type && slow.messageID == fastID, "\(text)")
            switch (slow.preDecoded, fast.preDecoded) {
            case (let a as AckRequest, let b as AckRequest):
                #expect(a.seq == b.seq, "\(text)")
            case (let a as SendMessageRequest, let b as SendMessageRequest):
                #expect(a.to == b.to && a.groupID == b.groupID && a.content == b.content, "\(text)")
            default:
                Issue.record("decoded differently: \(text)")
            }
        }
        #expect(accepted > total / 3, "the generator exercises the fast path (\(accepted) of \(total))")
    }

    static func fast(_ text: String) -> FastEnvelope? {
        Data(text.utf8).withUnsafeBytes(FastEnvelope.scan)
    }

    static func randomFrame(_ g: inout SystemRandomNumberGenerator) -> String {
        func space() -> String { ["", "", " ", "\n\t", "\r\n  "].randomElement(using: &g)! }
        func member(_ key: String, _ value: String) -> String { space() + "\"\(key)\"" + space() + ":" + space() + value + space() }
        func object(_ members: [String]) -> String { "{" + members.shuffled(using: &g).joined(separator: ",") + "}" }
        func string() -> String {
            let pieces = ["a", "Z", "0", "-", " ", "ü", "日本", "😀", "b:1:2:3", "{", "}", "[", "]", ":", ","]
            return "\"" + (0..<Int.random(in: 0...6, using: &g)).map { _ in pieces.randomElement(using: &g)! }.joined() + "\""
        }
        func integer() -> String {
            ["0", "-0", "7", "-12", "1700000000000", "9223372036854775807", "-9223372036854775808",
             String(Int64.random(in: Int64.min...Int64.max, using: &g))].randomElement(using: &g)!
        }
        var top = [member("type", Bool.random(using: &g) ? "\"ack\"" : "\"send_message\"")]
        if Bool.random(using: &g) { top.append(member("message_id", string())) }
        if Bool.random(using: &g) { top.append(member("timestamp", integer())) }
        let isAck = top[0].contains("\"ack\"")
        if isAck {
            top.append(member("data", object([member("seq", integer())])))
        } else {
            var content: [String] = []
            for key in ["text", "file_id", "name", "mime", "reply_to"] where Bool.random(using: &g) {
                content.append(member(key, string()))
            }
            for key in ["size", "width", "height"] where Int.random(in: 0..<4, using: &g) == 0 {
                content.append(member(key, integer()))
            }
            if Int.random(in: 0..<4, using: &g) == 0 {
                content.append(member("mentions", "[" + (0..<Int.random(in: 0...3, using: &g)).map { _ in space() + string() + space() }
                    .joined(separator: ",") + "]"))
            }
            var data = [member("content", object(content))]
            if Bool.random(using: &g) { data.append(member("to", string())) }
            if Bool.random(using: &g) { data.append(member("group_id", string())) }
            top.append(member("data", object(data)))
        }
        return space() + object(top) + space()
    }

    /// One small edit: a byte dropped, doubled or replaced by a JSON-significant one.
    static func mutate(_ text: String, _ g: inout SystemRandomNumberGenerator) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let at = Int.random(in: 0..<bytes.count, using: &g)
        switch Int.random(in: 0..<3, using: &g) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(bytes[at], at: at)
        default: bytes[at] = Array(#"{}[]",:\."0-e9 n"#.utf8).randomElement(using: &g)!
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
