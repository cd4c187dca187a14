import RoostStorage
import Synchronization

/// Told about every commit of inbox items by the delivery path (the push
/// worker for offline devices). It runs on the send path of every message, so
/// it must return at once: enqueue, never wait.
public protocol OfflineNotifier: Sendable {
    /// Items were committed (a user may have more than one).
    func itemsCommitted(_ deliveries: [Delivery])
}

/// Where the registry finds its notifier: set once when the server is built
/// (the worker needs the registry, so it cannot be passed to its initializer).
/// Read on every commit without a lock (set once, never changed).
public final class OfflineNotifierSlot: Sendable {
    private final class Box: Sendable {
        let notifier: any OfflineNotifier
        init(_ notifier: any OfflineNotifier) { self.notifier = notifier }
    }

    private let slot = AtomicLazyReference<Box>()

    public init() {}

    /// Sets the notifier; a server has one push worker, so only the first call counts.
    public func set(_ notifier: any OfflineNotifier) {
        _ = slot.storeIfNil(Box(notifier))
    }

    func notify(_ deliveries: [Delivery]) {
        slot.load()?.notifier.itemsCommitted(deliveries)
    }
}
