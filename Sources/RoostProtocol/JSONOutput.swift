/// Where hand-written JSON goes. A value is written twice: once into a
/// counter, then straight into a string of exactly that size (`String(json:)`).
/// Appending piece by piece to a `String` (a content object, the record
/// around it, the frame around that) cost every frame three buffers, two
/// copies and a capacity check per piece: a fifth of the event loops' time
/// in `roost bench pairs` (issue 9).
protocol JSONOutput {
    mutating func write(_ bytes: UnsafeRawBufferPointer)
    mutating func write(byte: UInt8)
}

/// Counts what a value would write.
struct JSONByteCounter: JSONOutput {
    private(set) var count = 0

    mutating func write(_ bytes: UnsafeRawBufferPointer) { count += bytes.count }
    mutating func write(byte: UInt8) { count += 1 }
}

/// Writes into a buffer of the size the counter found; writing past it stops
/// the process rather than the memory beyond it being overwritten.
struct JSONByteWriter: JSONOutput {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = UnsafeMutableRawBufferPointer(buffer)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        precondition(count + bytes.count <= buffer.count, "JSON longer than counted")
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    mutating func write(byte: UInt8) {
        precondition(count < buffer.count, "JSON longer than counted")
        buffer[count] = byte
        count += 1
    }
}

/// A value that writes itself as JSON, the same bytes on every call.
protocol JSONWritable {
    func writeJSON<Output: JSONOutput>(to out: inout Output)
}

extension String {
    /// `value` as JSON text, written once to count it and once into the string.
    init<Value: JSONWritable>(json value: Value) {
        var counter = JSONByteCounter()
        value.writeJSON(to: &counter)
        self.init(unsafeUninitializedCapacity: counter.count) { buffer in
            var writer = JSONByteWriter(buffer)
            value.writeJSON(to: &writer)
            return writer.count
        }
    }
}

extension JSONOutput {
    mutating func write(_ literal: StaticString) {
        write(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// `string`'s UTF-8 as it is (JSON already), less its last `dropLast` bytes.
    mutating func write(_ string: String, dropLast: Int = 0) {
        var string = string  // `withUTF8` makes a bridged string contiguous first
        string.withUTF8 { write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.dropLast(dropLast)))) }
    }

    mutating func write(_ value: Int64) {
        // 20 digits and a sign at most.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var start = raw.count
            var rest = value.magnitude
            repeat {
                start -= 1
                raw[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                raw[start] = UInt8(ascii: "-")
            }
            write(UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// `string` as a JSON string literal, escaped as `JSONEncoder` escapes it.
    mutating func writeQuoted(_ string: String) {
        write(byte: UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { writeEscaped(UnsafeRawBufferPointer($0)) }
        write(byte: UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ bytes: UnsafeRawBufferPointer) {
        var plainFrom = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            write(UnsafeRawBufferPointer(rebasing: bytes[plainFrom..<index]))
            plainFrom = index + 1
            switch byte {
            case UInt8(ascii: "\""): write("\\\"")
            case UInt8(ascii: "\\"): write("\\\\")
            case 0x0A: write("\\n")
            case 0x0D: write("\\r")
            case 0x09: write("\\t")
            case 0x08: write("\\b")
            case 0x0C: write("\\f")
            default:
                write("\\u00")
                write(byte: Self.hexDigit(byte >> 4))
                write(byte: Self.hexDigit(byte & 0x0F))
            }
        }
        write(UnsafeRawBufferPointer(rebasing: bytes[plainFrom...]))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

/// The members of one JSON object, written in the order they come (callers
/// write them in sorted key order, as `JSONCodec` does); absent values are
/// left out.
struct JSONMembers {
    private var first: Bool

    /// `continuing`: members were written before (a frame adding its own to
    /// an object it was given).
    init(continuing: Bool = false) {
        first = !continuing
    }

    private mutating func key<Output: JSONOutput>(_ name: StaticString, to out: inout Output) {
        if first { first = false } else { out.write(byte: UInt8(ascii: ",")) }
        out.write(byte: UInt8(ascii: "\""))
        out.write(name)
        out.write("\":")
    }

    mutating func string<Output: JSONOutput>(_ name: StaticString, _ value: String?, to out: inout Output) {
        guard let value else { return }
        key(name, to: &out)
        out.writeQuoted(value)
    }

    mutating func int<Output: JSONOutput>(_ name: StaticString, _ value: Int64?, to out: inout Output) {
        guard let value else { return }
        key(name, to: &out)
        out.write(value)
    }

    mutating func int<Output: JSONOutput>(_ name: StaticString, _ value: Int?, to out: inout Output) {
        int(name, value.map(Int64.init), to: &out)
    }

    mutating func bool<Output: JSONOutput>(_ name: StaticString, _ value: Bool?, to out: inout Output) {
        guard let value else { return }
        key(name, to: &out)
        out.write(value ? "true" : "false")
    }

    mutating func strings<Output: JSONOutput>(_ name: StaticString, _ values: [String]?, to out: inout Output) {
        guard let values else { return }
        key(name, to: &out)
        out.write(byte: UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.write(byte: UInt8(ascii: ",")) }
            out.writeQuoted(value)
        }
        out.write(byte: UInt8(ascii: "]"))
    }

    /// A member whose value is JSON text already.
    mutating func raw<Output: JSONOutput>(_ name: StaticString, _ json: String?, to out: inout Output) {
        guard let json else { return }
        key(name, to: &out)
        out.write(json)
    }

    mutating func value<Output: JSONOutput, Value: JSONWritable>(_ name: StaticString, _ value: Value?,
                                                                  to out: inout Output) {
        guard let value else { return }
        key(name, to: &out)
        value.writeJSON(to: &out)
    }
}

/// An object written from its members alone.
protocol JSONObjectMembers: JSONWritable {
    func writeMembers<Output: JSONOutput>(_ members: inout JSONMembers, to out: inout Output)
}

extension JSONObjectMembers {
    func writeJSON<Output: JSONOutput>(to out: inout Output) {
        out.write(byte: UInt8(ascii: "{"))
        var members = JSONMembers()
        writeMembers(&members, to: &out)
        out.write(byte: UInt8(ascii: "}"))
    }
}
