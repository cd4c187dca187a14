/// When the search indexer's background loop takes a step. After the index
/// caught up, new texts wait `interval` (so that one step takes many of them:
/// FTS5 writes a segment per transaction); a backlog is taken a step per
/// tick (a twentieth of the interval) until the index has caught up again.
/// Without a commit since the last timed step there is nothing to index.
struct SearchIndexPacing: Sendable {
    let interval: Duration
    private var caughtUpAt: ContinuousClock.Instant
    /// At start the index may hold a backlog from before (a restart).
    private var catchingUp = true
    /// The message writer's commits when the last timed step began.
    private var seenCommits = -1

    init(interval: Duration, now: ContinuousClock.Instant) {
        self.interval = interval
        self.caughtUpAt = now
    }

    /// The loop's period.
    var tick: Duration { interval == .zero ? .milliseconds(5) : interval / 20 }

    /// Whether the loop steps now, given the writer's commit count (read
    /// before the step reads the database: a later commit counts next time).
    mutating func isDue(commits: Int, now: ContinuousClock.Instant) -> Bool {
        if catchingUp { return true }
        guard commits != seenCommits, now - caughtUpAt >= interval else { return false }
        seenCommits = commits
        return true
    }

    /// A step that took new texts ended; it began at `startedAt`.
    mutating func stepped(caughtUp: Bool, startedAt: ContinuousClock.Instant) {
        catchingUp = !caughtUp
        if caughtUp { caughtUpAt = startedAt }
    }
}
