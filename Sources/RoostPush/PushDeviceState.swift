/// The push schedule of one device, as a value: methods say what to do, the
/// worker does it. One runner task per device drives it, so at most one
/// request is ever in flight per device.
///
/// Rules (PROTOCOL.md 9): requests start at least `interval` apart, retries
/// included; a failure is retried after the interval, doubling with each
/// further failure (counted from the failure); nothing is attempted
/// `giveUpAfter` past the first attempt of a failing push.
struct PushDeviceState: Sendable {
    enum Step: Equatable, Sendable {
        /// Send a request now.
        case send
        /// Nothing may or must be sent before this instant; look again then.
        case wait(until: ContinuousClock.Instant)
        /// Nothing pending and the interval has passed: forget this device.
        case done
    }

    enum Outcome: Sendable {
        case delivered
        case failed
    }

    let interval: Duration
    let giveUpAfter: Duration
    /// Something was committed that no request has announced yet.
    private(set) var pending = false
    /// No request may start before this.
    private(set) var notBefore: ContinuousClock.Instant
    /// Failures in a row of the current push (0 when it is not failing).
    private(set) var failures = 0
    /// First attempt of the push being retried.
    private(set) var firstAttempt: ContinuousClock.Instant?
    private var attemptStarted: ContinuousClock.Instant?

    init(interval: Duration, giveUpAfter: Duration, now: ContinuousClock.Instant) {
        self.interval = interval
        self.giveUpAfter = giveUpAfter
        self.notBefore = now
    }

    /// An item was committed for this device.
    mutating func commit() {
        pending = true
    }

    func next(now: ContinuousClock.Instant) -> Step {
        if now < notBefore { return .wait(until: notBefore) }
        return pending ? .send : .done
    }

    /// A request starts now: it announces everything committed so far.
    mutating func started(now: ContinuousClock.Instant) {
        pending = false
        attemptStarted = now
        if firstAttempt == nil { firstAttempt = now }
        notBefore = now + interval
    }

    /// The request ended. Returns false when a failing push is given up.
    mutating func finished(_ outcome: Outcome, now: ContinuousClock.Instant) -> Bool {
        let start = attemptStarted ?? now
        switch outcome {
        case .delivered:
            resetFailures()
            notBefore = start + interval
            return true
        case .failed:
            failures += 1
            let retryAt = max(start + interval, now + interval * (1 << min(failures - 1, 30)))
            if let first = firstAttempt, retryAt - first > giveUpAfter {
                // Later commits start a new push with a fresh 24 h budget.
                resetFailures()
                notBefore = max(notBefore, start + interval)
                return false
            }
            pending = true
            notBefore = retryAt
            return true
        }
    }

    /// The device connected: its items go over the socket, nothing to announce.
    mutating func skip() {
        pending = false
        resetFailures()
    }

    private mutating func resetFailures() {
        failures = 0
        firstAttempt = nil
    }
}
