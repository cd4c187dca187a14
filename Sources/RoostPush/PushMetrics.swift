import Metrics

/// Counters of the push worker for `/metrics`.
struct PushMetrics: Sendable {
    /// Requests the endpoint answered with 2xx.
    let sent = Counter(label: "roost_push_sent_total")
    /// Requests that failed (connection error, timeout, refused address, non-2xx other than 404/410).
    let failed = Counter(label: "roost_push_failed_total")
    /// Pushes never sent: the queue was full, or retries were given up.
    let dropped = Counter(label: "roost_push_dropped_total")
    /// Endpoints removed because they answered 404 or 410.
    let removed = Counter(label: "roost_push_endpoints_removed_total")
}
