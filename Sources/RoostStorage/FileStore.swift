import RoostProtocol

/// Uploaded files and their metadata (issue: file and image messages). The
/// bytes live on disk (the server writes them); storage keeps who may read them.
public protocol FileStore: Sendable {
    func recordFile(_ file: StoredFile) async throws
    func file(id: String) async throws -> StoredFile?
    /// The uploader, or a current participant of a conversation the file was sent in.
    func mayDownload(fileID: String, user: Int64) async throws -> Bool
}

public struct StoredFile: Sendable, Equatable {
    public let id: String
    public let uploader: Int64
    public let size: Int64
    public let mime: String
    public let name: String
    public let sha256: String
    public let width: Int?
    public let height: Int?
    public let createdAt: Int64

    public init(id: String, uploader: Int64, size: Int64, mime: String, name: String, sha256: String,
                width: Int?, height: Int?, createdAt: Int64) {
        self.id = id
        self.uploader = uploader
        self.size = size
        self.mime = mime
        self.name = name
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.createdAt = createdAt
    }

    public var info: FileInfo {
        FileInfo(fileID: id, size: size, mime: mime, name: name, sha256: sha256, width: width, height: height)
    }
}
