import Metrics
import Prometheus
import Synchronization

/// The process-wide Prometheus registry. swift-metrics can be bootstrapped
/// once per process, so every server in the process (tests start many) shares it.
enum MetricsRegistry {
    private static let bootstrapped = Mutex(false)
    static let registry = PrometheusCollectorRegistry()

    static func bootstrapOnce() {
        bootstrapped.withLock { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }
}
