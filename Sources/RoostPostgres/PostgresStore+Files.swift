import PostgresNIO
import RoostProtocol
import RoostStorage

/// File metadata and download rights. A file becomes readable by a
/// conversation's participants when a message carrying it is committed there.
extension PostgresStore {
    public func recordFile(_ file: StoredFile) async throws {
        try await write { db in
            try await db.run("""
                INSERT INTO files (id, uploader_id, size, mime, name, sha256, width, height, created_at)
                VALUES (\(file.id), \(file.uploader), \(file.size), \(file.mime), \(file.name), \(file.sha256),
                        \(file.width), \(file.height), \(file.createdAt))
                """)
        }
    }

    public func file(id: String) async throws -> StoredFile? {
        try await read { db in try await Self.storedFile(db: db, id: id) }
    }

    public func mayDownload(fileID: String, user: Int64) async throws -> Bool {
        try await read { db in
            guard let file = try await Self.storedFile(db: db, id: fileID) else { return false }
            if file.uploader == user { return true }
            for key in try await db.values("SELECT conv_key FROM file_shares WHERE file_id = \(fileID)", as: String.self) {
                switch ConversationKeys.parse(key) {
                case .direct(let a, let b):
                    if a == user || b == user { return true }
                case .group(let group):
                    if try await Self.isGroupMember(db: db, group: group, user: user) { return true }
                case nil:
                    continue
                }
            }
            return false
        }
    }

    /// Fills a file message's content from the sender's upload and shares the
    /// file with the conversation; `not_found` unless the sender uploaded it.
    /// Client-given `name`/`mime` (display hints) win; size and dimensions are the server's.
    static func attachFile(db: Database, content: MessageContent, sender: Int64,
                           conversationKey: String) async throws -> MessageContent {
        guard let fileID = content.fileID else { return content }
        guard let file = try await storedFile(db: db, id: fileID), file.uploader == sender else {
            throw RoostError.notFound("no such file")
        }
        let filled = content.filled(with: file)
        try await db.run("""
            INSERT INTO file_shares (file_id, conv_key) VALUES (\(fileID), \(conversationKey)) ON CONFLICT DO NOTHING
            """)
        return filled
    }

    static func storedFile(db: Database, id: String) async throws -> StoredFile? {
        guard let row = try await db.rows("""
            SELECT id, uploader_id, size, mime, name, sha256, width, height, created_at FROM files WHERE id = \(id)
            """).first else { return nil }
        let (fileID, uploader, size, mime, name, sha, width, height, createdAt) =
            try row.decode((String, Int64, Int64, String, String, String, Int?, Int?, Int64).self)
        return StoredFile(id: fileID, uploader: uploader, size: size, mime: mime, name: name, sha256: sha,
                          width: width, height: height, createdAt: createdAt)
    }
}
