import NIOCore
import NIOPosix
import RoostStorage

/// An event loop as the place its connections' commits complete: the storage
/// writer hands it all of a batch's completions for the loop's connections
/// in one `execute` (CompletionQueue).
final class LoopCompletionQueue: CompletionQueue {
    let eventLoop: any EventLoop

    private init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func run(_ work: [@Sendable () -> Void]) {
        eventLoop.execute {
            for completion in work { completion() }
        }
    }

    /// One per event loop thread, made on first use; call on `eventLoop`.
    static func current(on eventLoop: any EventLoop) -> LoopCompletionQueue {
        eventLoop.preconditionInEventLoop()
        if let queue = perThread.currentValue { return queue }
        let queue = LoopCompletionQueue(eventLoop)
        perThread.currentValue = queue
        return queue
    }

    private static let perThread = ThreadSpecificVariable<LoopCompletionQueue>()
}
