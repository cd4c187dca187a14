import Metrics

/// Group-commit figures for `/metrics`: batch size, the SQLite transaction's
/// latency, the latency a caller sees (queueing included) and the queue depth.
struct StorageMetrics: Sendable {
    let batchSize = Recorder(label: "roost_storage_batch_size")
    /// One SQLite write transaction, commit (fsync) included.
    let commitLatency = Timer(label: "roost_storage_commit_seconds")
    /// One write from enqueue to commit: what a sender waits for its ack.
    let writeLatency = Timer(label: "roost_storage_write_seconds")
    let failures = Counter(label: "roost_storage_commit_failures_total")
    /// The writer's own checkpoint before the WAL starts over (no batch runs meanwhile).
    let walRestartLatency = Timer(label: "roost_storage_wal_restart_seconds")
    /// Writes waiting for the next batch; near the writer's bound, writes are refused as overloaded.
    let queueDepth = Gauge(label: "roost_storage_queue_depth")

    func recordBatch(size: Int, duration: Duration) {
        batchSize.record(size)
        commitLatency.recordNanoseconds(duration.nanoseconds)
    }

    func recordWALRestart(duration: Duration) {
        walRestartLatency.recordNanoseconds(duration.nanoseconds)
    }

    func recordWrite(duration: Duration) {
        writeLatency.recordNanoseconds(duration.nanoseconds)
    }

    func recordQueueDepth(_ depth: Int) {
        queueDepth.record(depth)
    }

    func recordBatchFailure() {
        failures.increment()
    }
}
