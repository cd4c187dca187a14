import Synchronization

/// Users with commits the worker has not looked at yet: a bounded set behind
/// a lock, so the commit path only inserts and signals, never waits. Repeated
/// commits for a user already queued cost nothing (the set coalesces them).
final class PendingUsers: Sendable {
    private struct State {
        var order: [Int64] = []
        var members: Set<Int64> = []
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let signal: AsyncStream<Void>.Continuation
    /// Wakes the worker; one buffered signal is enough, it drains everything.
    let wakeups: AsyncStream<Void>

    init(capacity: Int) {
        self.capacity = capacity
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wakeups = stream
        signal = continuation
    }

    /// Queues `users`; returns how many were dropped because the queue was full.
    func insert(_ users: [Int64]) -> Int {
        let dropped = state.withLock { state -> Int in
            var dropped = 0
            for user in users where !state.members.contains(user) {
                guard state.members.count < capacity else {
                    dropped += 1
                    continue
                }
                state.members.insert(user)
                state.order.append(user)
            }
            return dropped
        }
        signal.yield()
        return dropped
    }

    /// Everything queued, oldest first; the queue is empty after.
    func drain() -> [Int64] {
        state.withLock { state in
            defer { state = State() }
            return state.order
        }
    }

    func finish() {
        signal.finish()
    }
}
