/// Failures of the storage layer that are not client errors.
public enum StorageError: Error, Sendable {
    /// The writer was closed (shutdown in progress).
    case closed
    /// The write queue is full; the caller should shed load.
    case overloaded
}
