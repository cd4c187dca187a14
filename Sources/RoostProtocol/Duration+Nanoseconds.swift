extension Duration {
    /// The whole nanoseconds of the duration, for the timers and metrics
    /// that take them (swift-metrics, atomics of clock readings).
    package var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
