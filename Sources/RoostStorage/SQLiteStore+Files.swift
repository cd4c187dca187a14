import GRDB
import RoostProtocol

/// File metadata and download rights. A file becomes readable by a
/// conversation's participants when a message carrying it is committed there.
extension SQLiteStore {
    public func recordFile(_ file: StoredFile) async throws {
        try await writer.write { db, _ in
            try db.cachedStatement(sql: """
                INSERT INTO files (id, uploader_id, size, mime, name, sha256, width, height, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [file.id, file.uploader, file.size, file.mime, file.name, file.sha256,
                                         file.width, file.height, file.createdAt])
        }
    }

    public func file(id: String) async throws -> StoredFile? {
        try await pool.read { db in try Self.storedFile(db: db, id: id) }
    }

    public func mayDownload(fileID: String, user: Int64) async throws -> Bool {
        try await pool.read { db in
            guard let file = try Self.storedFile(db: db, id: fileID) else { return false }
            if file.uploader == user { return true }
            let keys = try String.fetchAll(db.cachedStatement(sql: "SELECT conv_key FROM file_shares WHERE file_id = ?"),
                                           arguments: [fileID])
            for key in keys {
                if try Self.isParticipant(db: db, user: user, conversationKey: key) { return true }
            }
            return false
        }
    }

    /// `d:<low>:<high>` names both users; `g:<id>` needs current membership.
    static func isParticipant(db: Database, user: Int64, conversationKey key: String) throws -> Bool {
        switch ConversationKeys.parse(key) {
        case .direct(let a, let b): return a == user || b == user
        case .group(let group): return try isGroupMember(db: db, group: group, user: user)
        case nil: return false
        }
    }

    /// Fills a file message's content from the sender's upload and shares the
    /// file with the conversation; `not_found` unless the sender uploaded it.
    /// Client-given `name`/`mime` (display hints) win; size and dimensions are the server's.
    static func attachFile(db: Database, content: MessageContent, sender: Int64,
                           conversationKey: String) throws -> MessageContent {
        guard let fileID = content.fileID else { return content }
        guard let file = try storedFile(db: db, id: fileID), file.uploader == sender else {
            throw RoostError.notFound("no such file")
        }
        let filled = content.filled(with: file)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO file_shares (file_id, conv_key) VALUES (?, ?)")
            .execute(arguments: [fileID, conversationKey])
        return filled
    }

    static func storedFile(db: Database, id: String) throws -> StoredFile? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM files WHERE id = ?"), arguments: [id]).map { row in
            StoredFile(id: row["id"], uploader: row["uploader_id"], size: row["size"], mime: row["mime"],
                       name: row["name"], sha256: row["sha256"], width: row["width"], height: row["height"],
                       createdAt: row["created_at"])
        }
    }
}
