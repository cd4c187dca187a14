import Crypto
import Foundation
import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// Streams an upload body to `files/<id>.part` while hashing it, then renames
/// it to `files/<id>`. The id is random (never derived from the client), a
/// body over the limit is refused with 413 and its partial file removed, and
/// memory stays at one chunk plus the header bytes kept for image sizes.
struct FileUploader: Sendable {
    let directory: URL
    let maxBytes: Int64

    struct Upload {
        let id: String
        let size: Int64
        let sha256: String
        let dimensions: (width: Int, height: Int)?
    }

    func receive(_ body: RequestBody, declaredLength: Int64?) async throws -> Upload {
        if let declaredLength, declaredLength > maxBytes { throw tooLarge }
        let id = Self.newID()
        let partial = directory.appendingPathComponent(id + ".part")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial.path) else {
            throw RoostError.internal("cannot create the upload file")
        }
        var finished = false
        defer {
            try? handle.close()
            if !finished { try? FileManager.default.removeItem(at: partial) }
        }
        var hasher = SHA256()
        var size: Int64 = 0
        var head: [UInt8] = []
        for try await buffer in body {
            size += Int64(buffer.readableBytes)
            if size > maxBytes { throw tooLarge }
            let bytes = buffer.readableBytesView
            hasher.update(data: bytes)
            if head.count < ImageSize.headBytes { head += bytes.prefix(ImageSize.headBytes - head.count) }
            // Page-cache writes of one chunk: short enough to do inline.
            try handle.write(contentsOf: Data(bytes))
        }
        try handle.synchronize()
        try FileManager.default.moveItem(at: partial, to: directory.appendingPathComponent(id))
        finished = true
        let digest = hasher.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
        return Upload(id: id, size: size, sha256: digest, dimensions: ImageSize.of(head))
    }

    func path(of id: String) -> String {
        directory.appendingPathComponent(id).path
    }

    /// Server ids are 32 lowercase hex characters; anything else names no file
    /// (and never reaches the file system).
    static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &rng), radix: 16).leftPadded(2) }.joined()
    }

    private var tooLarge: RoostError { .tooLarge("files are limited to \(maxBytes) bytes") }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
