/// Failures of the storage layer that are not client errors.
public enum StorageError: Error, Sendable {
    /// The writer was closed (shutdown in progress).
    case closed
    /// The write queue is full; the caller should shed load.
    case overloaded
    /// The system SQLite lacks something Roost needs (FTS5 for search).
    case sqliteFeatureMissing(String)
    /// The search index file lost its bookkeeping row while open (someone
    /// else wrote to it); it is rebuilt at the next start.
    case searchIndexMissing
}

extension StorageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .closed: "the database is closed"
        case .overloaded: "the write queue is full"
        case .sqliteFeatureMissing(let feature):
            "the system SQLite library has no \(feature); install a libsqlite3 built with it (Debian's and Ubuntu's are)"
        case .searchIndexMissing: "the search index file has no state row; it is rebuilt at the next start"
        }
    }
}
