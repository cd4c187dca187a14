/// Where the completion of a write runs: the caller's own thread of work (a
/// connection's event loop).
///
/// The writer hands each queue the completions of a batch in one call, in
/// commit order: a hand-off per queue per batch instead of one per write,
/// each of which took the loop's locks (contended with the loop itself: a
/// `futex` call for every other message on the writer's thread, issue 9).
public protocol CompletionQueue: AnyObject, Sendable {
    /// Runs every closure of `work`, in order, on this queue's thread, soon.
    func run(_ work: [@Sendable () -> Void])
}

extension CompletionQueue {
    /// Runs `operation` in a task and hands its result to `completion` on
    /// this queue: the completion form of a store call for a backend that
    /// only has the async one.
    public func complete<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T,
                                      with completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            run([{ completion(result) }])
        }
    }
}
