/// A store that keeps uploaded files' bytes itself (PostgreSQL), so nodes
/// sharing it need no shared directory: the data directory's `files/` is then
/// a cache, filled from the store on the first download through each node.
/// SQLite does not conform; its files live in the data directory only.
public protocol FileBlobStore: Sendable {
    /// Copies the file at `path` into the store as file `id`; committed on return.
    func storeFileBytes(id: String, from path: String) async throws
    /// Writes file `id` to `path` (whole, or not at all); false when the store has no such file.
    func loadFileBytes(id: String, to path: String) async throws -> Bool
    /// Forgets file `id`'s bytes (an upload whose metadata could not be recorded).
    func removeFileBytes(id: String) async throws
}
