import Foundation

/// The one JSON codec of the wire: keys are written as named in PROTOCOL.md
/// (snake_case spelled out in `CodingKeys`), no key conversion strategies, so
/// encoding costs no string transformation per key.
public enum JSONCodec {
    /// Sorted keys: the same value always encodes to the same bytes (stable
    /// golden tests, identical answers to repeated requests).
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try makeEncoder().encode(value)
    }

    public static func encodeString<T: Encodable>(_ value: T) -> String {
        // Encoding our own value types cannot fail (no floats that are NaN, no
        // non-string keys); a failure here is a programming error.
        let data = try! makeEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
