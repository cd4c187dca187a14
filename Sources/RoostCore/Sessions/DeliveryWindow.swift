import RoostProtocol

/// The per-connection delivery state of PROTOCOL.md 4 as a value type: what has
/// been pushed, what is acked, what is due for a retry. Methods return the
/// frames to send; the owning `ClientConnection` does the I/O.
struct DeliveryWindow {
    /// A frame as text, or the item it will be rendered from: the sender's
    /// own copy of its message is held here but sent only as a retry, so it
    /// is rendered only then.
    enum Frame {
        case text(String)
        case item(InboxItem)

        var text: String {
            switch self {
            case .text(let text): text
            case .item(let item): ServerFrame.item(item)
            }
        }
    }

    struct InFlight {
        let seq: Int64
        var frame: Frame
        var pushes: Int
        var lastPush: ContinuousClock.Instant
    }

    enum RetryOutcome {
        case resend([String], nextDue: ContinuousClock.Instant?)
        /// An item was pushed `maxAttempts` times and one more interval passed: close 4410.
        case exhausted
    }

    let capacity: Int
    let maxAttempts: Int
    let retryInterval: Duration

    /// The device cursor: everything up to here is held by the device.
    private(set) var acked: Int64 = 0
    /// Everything up to here was pushed (or counted as pushed) on this connection.
    private(set) var pushedUpTo: Int64 = 0
    /// Highest committed seq this connection knows of.
    private(set) var head: Int64 = 0
    /// Items up to here committed before this session started, or on another
    /// node: no offer of them is coming, so a gap there is read from storage
    /// at once. Above it every item is offered as its commit is delivered.
    private var offeredFrom: Int64 = 0
    private(set) var inflight: [InFlight] = []
    /// Frames offered above `pushedUpTo`, waiting for room in the window.
    private var pending: [Int64: Frame] = [:]
    /// Items the connection's own request added: counted as pushed, never sent.
    private var withheld: Set<Int64> = []

    init(capacity: Int, maxAttempts: Int, retryInterval: Duration) {
        self.capacity = max(1, capacity)
        self.maxAttempts = max(1, maxAttempts)
        self.retryInterval = retryInterval
    }

    /// Starts (or restarts) delivery above `cursor`.
    mutating func reset(cursor: Int64, head: Int64) {
        acked = cursor
        pushedUpTo = cursor
        self.head = max(self.head, head)
        offeredFrom = max(offeredFrom, self.head)
        inflight = []
        pending = pending.filter { $0.key > cursor }
        withheld = withheld.filter { $0 > cursor }
    }

    mutating func noteHead(_ seq: Int64) {
        head = max(head, seq)
        offeredFrom = max(offeredFrom, seq)
    }

    /// Whether the item missing after `seq` is most likely an offer a moment
    /// behind a later one: its commit's delivery runs in another task, and
    /// two deliveries for one user may arrive in either order. Reading it
    /// from storage at once cost a read per connection for every such swap
    /// (in a group, one per member: issue 9's fan-out); the connection waits
    /// `reorderGrace` first, and reads only if the item has not come.
    func awaitsOffer(after seq: Int64) -> Bool {
        seq + 1 > offeredFrom && pending.keys.contains { $0 > seq + 1 }
    }

    /// How long a gap below a later offer is given to fill before it is read.
    static let reorderGrace: Duration = .milliseconds(10)

    /// A committed item for this user. Frames far beyond the window are not
    /// kept: they will be read from storage when their turn comes.
    mutating func offer(seq: Int64, frame: String) {
        head = max(head, seq)
        if seq > pushedUpTo && seq <= pushedUpTo + Int64(capacity) {
            pending[seq] = .text(frame)
        }
    }

    /// The connection's own request added `item`: it holds it already.
    mutating func markHeld(_ item: InboxItem) {
        head = max(head, item.seq)
        guard item.seq > pushedUpTo else { return }
        withheld.insert(item.seq)
        pending[item.seq] = .item(item)
    }

    /// Frames to send now, and where to read from storage if a frame is missing.
    mutating func takeReady(now: ContinuousClock.Instant) -> (send: [String], fetchAfter: Int64?, fetchLimit: Int) {
        var out: [String] = []
        while pushedUpTo < head && inflight.count < capacity {
            let next = pushedUpTo + 1
            guard let frame = pending.removeValue(forKey: next) else {
                let limit = min(capacity - inflight.count, Int(head - pushedUpTo))
                return (out, pushedUpTo, limit)
            }
            record(seq: next, frame: frame, now: now, into: &out)
        }
        return (out, nil, 0)
    }

    /// Items read from storage after `takeReady` asked for them; stale ones are skipped.
    mutating func acceptFetched(_ items: [(seq: Int64, frame: String)], now: ContinuousClock.Instant) -> [String] {
        var out: [String] = []
        for item in items where item.seq == pushedUpTo + 1 && inflight.count < capacity {
            head = max(head, item.seq)
            pending.removeValue(forKey: item.seq)
            record(seq: item.seq, frame: .text(item.frame), now: now, into: &out)
        }
        return out
    }

    private mutating func record(seq: Int64, frame: Frame, now: ContinuousClock.Instant, into out: inout [String]) {
        pushedUpTo = seq
        if withheld.remove(seq) == nil { out.append(frame.text) }
        inflight.append(InFlight(seq: seq, frame: frame, pushes: 1, lastPush: now))
    }

    /// A cumulative ack. Returns the new cursor if it moved.
    mutating func ack(_ seq: Int64) -> Int64? {
        let clamped = min(seq, head)
        guard clamped > acked else { return nil }
        acked = clamped
        inflight.removeAll { $0.seq <= clamped }
        if pushedUpTo < clamped {
            pushedUpTo = clamped
            pending = pending.filter { $0.key > clamped }
            withheld = withheld.filter { $0 > clamped }
        }
        return clamped
    }

    /// Replaces held frames (in flight or waiting) that `rewrite` maps to a new
    /// frame: a recall must not be undone by a later push of the old content.
    mutating func rewriteFrames(_ rewrite: (String) -> String?) {
        for i in inflight.indices {
            if let frame = rewrite(inflight[i].frame.text) { inflight[i].frame = .text(frame) }
        }
        for (seq, frame) in pending {
            if let replaced = rewrite(frame.text) { pending[seq] = .text(replaced) }
        }
    }

    var nextDue: ContinuousClock.Instant? {
        inflight.lazy.map(\.lastPush).min().map { $0 + retryInterval }
    }

    /// Re-pushes, in order, the items whose retry interval has passed.
    mutating func retry(now: ContinuousClock.Instant) -> RetryOutcome {
        var out: [String] = []
        for i in inflight.indices where inflight[i].lastPush + retryInterval <= now {
            if inflight[i].pushes >= maxAttempts { return .exhausted }
            let text = inflight[i].frame.text
            out.append(text)
            inflight[i].frame = .text(text)
            inflight[i].pushes += 1
            inflight[i].lastPush = now
        }
        return .resend(out, nextDue: nextDue)
    }
}
