import RoostStorage
import Synchronization

/// Told about every commit of inbox items by the delivery path (the push
/// worker for offline devices). It runs on the send path of every message, so
/// it must return at once: enqueue, never wait.
public protocol OfflineNotifier: Sendable {
    /// Items were committed for `users` (each at most once per call).
    func itemsCommitted(for users: [Int64])
}

/// Where the registry finds its notifier: set once when the server is built
/// (the worker needs the registry, so it cannot be passed to its initializer).
public final class OfflineNotifierSlot: Sendable {
    private let notifier = Mutex<(any OfflineNotifier)?>(nil)

    public init() {}

    public func set(_ value: (any OfflineNotifier)?) {
        notifier.withLock { $0 = value }
    }

    func notify(_ deliveries: [Delivery]) {
        guard let target = notifier.withLock({ $0 }) else { return }
        var seen = Set<Int64>()
        let users = deliveries.compactMap { seen.insert($0.user).inserted ? $0.user : nil }
        target.itemsCommitted(for: users)
    }
}
