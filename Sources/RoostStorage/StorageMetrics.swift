import Metrics

/// Group-commit figures for `/metrics`: batch size and commit latency.
struct StorageMetrics: Sendable {
    let batchSize = Recorder(label: "roost_storage_batch_size")
    let commitLatency = Timer(label: "roost_storage_commit_seconds")
    let failures = Counter(label: "roost_storage_commit_failures_total")

    func recordBatch(size: Int, duration: Duration) {
        batchSize.record(size)
        commitLatency.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func recordBatchFailure() {
        failures.increment()
    }
}
