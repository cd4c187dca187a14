import Foundation

/// A client frame after the envelope checks of PROTOCOL.md 3, before its `data`
/// is decoded for its type. Decoding `data` is lazy so that each handler asks
/// for exactly the shape it needs and gets `bad_request` for anything else.
public struct ClientFrame: Sendable {
    public let type: String
    /// The request id, when present and valid (1-64 chars).
    public let messageID: String?
    let raw: Data
    /// `data` of the most frequent frames (`ack`, `send_message`), decoded in
    /// the same pass as the envelope: one JSON parse per frame instead of two.
    /// Nil when the shape is wrong; `decodeData` then parses again to say why.
    let preDecoded: (any Sendable)?

    /// Checks the envelope: JSON, an object, a string `type`.
    public init(json raw: Data) throws(FrameError) {
        if let fast = raw.withUnsafeBytes(FastEnvelope.scan) {
            let id: String? = if case .some(.valid(let id)) = fast.messageID { id } else { nil }
            self.init(type: fast.type, messageID: id, raw: raw, preDecoded: fast.preDecoded)
        } else {
            try self.init(decoding: raw)
        }
    }

    private init(type: String, messageID: String?, raw: Data, preDecoded: (any Sendable)?) {
        self.type = type
        self.messageID = messageID
        self.raw = raw
        self.preDecoded = preDecoded
    }

    /// The envelope through JSONDecoder: every frame FastEnvelope does not take.
    init(decoding raw: Data) throws(FrameError) {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: raw)
        } catch {
            throw .badEnvelope("frame is not a JSON object")
        }
        guard let type = header.type else { throw .badEnvelope("frame has no string `type`") }
        if case .some(.invalid) = header.messageID {
            self.type = type
            self.messageID = nil
        } else if case .some(.valid(let id)) = header.messageID {
            self.type = type
            self.messageID = id
        } else {
            self.type = type
            self.messageID = nil
        }
        self.raw = raw
        self.preDecoded = header.preDecoded
        guard header.dataIsObjectOrAbsent else { throw .badData(ref: messageID, "`data` must be an object") }
    }

    /// Decodes `data` (missing means `{}`) as `T`; wrong shapes are `bad_request`.
    public func decodeData<T: Decodable>(_ type: T.Type) throws(RoostError) -> T {
        if let value = preDecoded as? T { return value }
        do {
            return try JSONDecoder().decode(DataEnvelope<T>.self, from: raw).data
        } catch let error as RoostError {
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .badRequest("bad value at \(path(context.codingPath))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw .badRequest("missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.dataCorrupted(context) {
            throw .badRequest("bad value at \(path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw .badRequest("bad data")
        }
    }

    private func path(_ keys: [any CodingKey]) -> String {
        keys.map(\.stringValue).filter { $0 != "data" }.joined(separator: ".")
    }

    enum MessageIDField: Decodable {
        case valid(String)
        case invalid

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self), RequestID.isValid(s) {
                self = .valid(s)
            } else {
                self = .invalid
            }
        }
    }

    struct Header: Decodable {
        let type: String?
        let messageID: MessageIDField?
        let dataIsObjectOrAbsent: Bool
        var preDecoded: (any Sendable)?

        enum CodingKeys: String, CodingKey {
            case type, data
            case messageID = "message_id"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try? c.decodeIfPresent(String.self, forKey: .type)
            messageID = try c.decodeIfPresent(MessageIDField.self, forKey: .messageID)
            if c.contains(.data), (try? c.decodeNil(forKey: .data)) != true {
                dataIsObjectOrAbsent = (try? c.nestedContainer(keyedBy: AnyKey.self, forKey: .data)) != nil
                switch type {
                case "ack": preDecoded = try? c.decode(AckRequest.self, forKey: .data)
                case "send_message": preDecoded = try? c.decode(SendMessageRequest.self, forKey: .data)
                default: preDecoded = nil
                }
            } else {
                dataIsObjectOrAbsent = true
            }
        }
    }

    struct DataEnvelope<T: Decodable>: Decodable {
        let data: T
        enum CodingKeys: String, CodingKey { case data }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if c.contains(.data), try !c.decodeNil(forKey: .data) {
                data = try c.decode(T.self, forKey: .data)
            } else {
                // Missing `data` means `{}`.
                data = try JSONDecoder().decode(T.self, from: Data("{}".utf8))
            }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Why a frame was refused before its type was looked at.
public enum FrameError: Error, Sendable {
    /// Not JSON, not an object, or no string `type`: `bad_request` without `ref`.
    case badEnvelope(String)
    /// `data` is not an object: `bad_request`, with `ref` if the id was valid.
    case badData(ref: String?, String)

    public var roostError: RoostError {
        switch self {
        case .badEnvelope(let m), .badData(_, let m): .badRequest(m)
        }
    }

    public var ref: String? {
        if case .badData(let ref, _) = self { return ref }
        return nil
    }
}
