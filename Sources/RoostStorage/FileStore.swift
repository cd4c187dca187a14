/// Uploaded files and their metadata (issue: file and image messages).
public protocol FileStore: Sendable {}
