import Dispatch
import Synchronization

/// Background upkeep (search indexing, WAL checkpoints) on a thread of its
/// own at a lower scheduling priority. On two cores a step of upkeep taking
/// one core for tens of milliseconds left the connections, the writer and
/// everything else one core, which showed directly in the open loop's p99
/// (issue 9); 10 `nice` steps below the server such a step yields while
/// they are busy and still gets about a tenth of a core when everything is,
/// so it never starves. The thread's priority is its own
/// (`startStoreThread`), so no shared pool thread is left lowered.
final class BackgroundLoop: Sendable {
    /// What the thread shares with its owner.
    private final class Control: Sendable {
        let stopping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    private let control = Control()

    /// Runs `body` every `period` (first after one period) until `stop`;
    /// returns once the thread runs, named and at its priority.
    init(name: String, period: Duration, nice: Int32 = 10, body: @escaping @Sendable () -> Void) {
        let nanos = Int(max(period.nanoseconds, 1))
        startStoreThread(named: name, niceSteps: nice) { [control] in
            while !control.stopping.load(ordering: .relaxed) {
                _ = control.wake.wait(timeout: .now() + .nanoseconds(nanos))
                if control.stopping.load(ordering: .relaxed) { break }
                body()
            }
            control.finished.signal()
        }
    }

    /// Ends the loop after the step under way, if any.
    func stop() async {
        guard !control.stopping.exchange(true, ordering: .relaxed) else { return }
        control.wake.signal()
        let finished = control.finished
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                finished.wait()
                continuation.resume()
            }
        }
    }
}
