import Foundation
import NIOCore
import PostgresNIO
import RoostStorage

/// Uploaded files' bytes in `file_blobs`, in parts of `filePartBytes`, so
/// several nodes serve every upload without a shared directory. Parts keep
/// each row and each query's memory small whatever the file size.
extension PostgresStore: FileBlobStore {
    static let filePartBytes = 1 << 20

    public func storeFileBytes(id: String, from path: String) async throws {
        try await write { db in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
            defer { try? handle.close() }
            var part: Int32 = 0
            while let data = try handle.read(upToCount: Self.filePartBytes), !data.isEmpty {
                try await db.run("""
                    INSERT INTO file_blobs (file_id, part, bytes) VALUES (\(id), \(part), \(ByteBuffer(bytes: data)))
                    """)
                part += 1
            }
            if part == 0 {
                // An empty file still has one (empty) part, so it is found.
                try await db.run("INSERT INTO file_blobs (file_id, part, bytes) VALUES (\(id), 0, \(ByteBuffer()))")
            }
        }
    }

    public func loadFileBytes(id: String, to path: String) async throws -> Bool {
        let partial = path + ".\(UUID().uuidString).part"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
              let handle = FileHandle(forWritingAtPath: partial) else { throw CocoaError(.fileWriteUnknown) }
        var done = false
        defer {
            try? handle.close()
            if !done { try? FileManager.default.removeItem(atPath: partial) }
        }
        var part: Int32 = 0
        while let bytes = try await read({ db in
            try await db.value("SELECT bytes FROM file_blobs WHERE file_id = \(id) AND part = \(part)", as: ByteBuffer.self)
        }) {
            try handle.write(contentsOf: Data(bytes.readableBytesView))
            part += 1
        }
        guard part > 0 else { return false }
        try handle.synchronize()
        // Another request may have fetched it meanwhile: either copy is the same file.
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        done = true
        return true
    }

    public func removeFileBytes(id: String) async throws {
        try await write { db in try await db.run("DELETE FROM file_blobs WHERE file_id = \(id)") }
    }
}
