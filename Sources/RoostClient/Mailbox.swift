/// Frames received on a socket, handed out in order to whoever waits, with a
/// timeout on every wait so no caller (a test, the load generator) can hang.
actor Mailbox {
    private var frames: [String] = []
    private var head = 0
    private var waiter: (id: Int, continuation: CheckedContinuation<String?, Never>)?
    private var nextWaiterID = 0
    private(set) var closeCode: UInt16?
    private(set) var closed = false

    func deliver(_ frame: String) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: frame)
        } else {
            frames.append(frame)
        }
    }

    func finish(closeCode: UInt16?) {
        closed = true
        self.closeCode = closeCode
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: nil)
        }
    }

    /// The next frame, or nil when the socket closed or `timeout` passed.
    func next(timeout: Duration) async -> String? {
        if head < frames.count {
            let frame = frames[head]
            head += 1
            if head > 1024 && head * 2 > frames.count {
                frames.removeFirst(head)
                head = 0
            }
            return frame
        }
        if closed { return nil }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withCheckedContinuation { continuation in
            waiter = (id, continuation)
            Task {
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
        }
    }

    private func expire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
