/// Pixel dimensions read from the first bytes of PNG, GIF and JPEG files, so
/// clients can lay out an image before downloading it. No decoding: only
/// headers are parsed; anything unrecognised or truncated yields nil.
public enum ImageSize {
    /// Enough bytes for the JPEG frame header behind typical EXIF/ICC segments.
    public static let headBytes = 256 * 1024

    public static func of(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        png(bytes) ?? gif(bytes) ?? jpeg(bytes)
    }

    /// Signature, then the IHDR chunk: width and height big-endian at 16 and 20.
    static func png(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 24, b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
              b[12...15].elementsEqual(Array("IHDR".utf8)) else { return nil }
        return positive(be32(b, 16), be32(b, 20))
    }

    /// `GIF87a`/`GIF89a`, then the logical screen size, little-endian.
    static func gif(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 10, b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) else { return nil }
        return positive(Int(b[6]) | Int(b[7]) << 8, Int(b[8]) | Int(b[9]) << 8)
    }

    /// Walks the marker segments to the first start-of-frame (SOF0-SOF15 but
    /// DHT, JPG and DAC), whose payload is precision, height, width.
    static func jpeg(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }                       // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }   // no length
            if marker == 0xD9 || marker == 0xDA { return nil }          // end, or scan data before a frame
            let length = be16(b, i + 2)
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard i + 8 < b.count else { return nil }
                return positive(be16(b, i + 7), be16(b, i + 5))
            }
            guard length >= 2 else { return nil }
            i += 2 + length
        }
        return nil
    }

    private static func be16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }

    private static func be32(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }

    private static func positive(_ width: Int, _ height: Int) -> (width: Int, height: Int)? {
        width > 0 && height > 0 ? (width, height) : nil
    }
}
