import NIOCore

/// A server's unfragmented, unmasked text frame (RFC 6455 5.2): the header,
/// then the text's bytes.
enum TextFrameEncoding {
    /// A header is 2, 4 or 10 bytes, by the text's length.
    static let maxHeaderBytes = 10

    /// Appends the frame of `text` to `buffer`.
    static func append(_ text: String, to buffer: inout ByteBuffer) {
        let length = text.utf8.count
        buffer.writeInteger(UInt8(0x81))  // FIN, opcode 1 (text)
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        } else {
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(length))
        }
        buffer.writeString(text)
    }
}
