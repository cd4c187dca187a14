import Configuration
import Synchronization

/// Keeps the access event of the last lookup, so the resolver can tell which
/// provider answered a key (the source `roost config` prints) or which one
/// failed to convert it (the source an error names). The reader's getters
/// themselves only return a value or nil.
final class LastAccess: AccessReporter {
    private let last = Mutex<AccessEvent?>(nil)

    func report(_ event: AccessEvent) {
        last.withLock { $0 = event }
    }

    /// The event of the last lookup, cleared.
    func take() -> AccessEvent? {
        last.withLock { event in
            defer { event = nil }
            return event
        }
    }
}
