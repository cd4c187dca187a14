import Metrics

/// The core's counters for `/metrics` (names from PROTOCOL.md 8 where it names them).
public struct CoreMetrics: Sendable {
    public let connections = Meter(label: "roost_connections")
    public let messagesReceived = Counter(label: "roost_messages_received_total")
    public let messagesDelivered = Counter(label: "roost_messages_delivered_total")
    public let itemsPushed = Counter(label: "roost_items_pushed_total")
    public let retries = Counter(label: "roost_retries_total")
    public let syncRequests = Counter(label: "roost_sync_requests_total")
    public let acks = Counter(label: "roost_acks_total")

    public func error(_ code: String) {
        Counter(label: "roost_errors_total", dimensions: [("code", code)]).increment()
    }
}
