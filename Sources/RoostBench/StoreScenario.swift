import Foundation
import RoostProtocol
import RoostStorage
import Synchronization

/// `store`: the storage write path alone, in this process, no sockets. A fresh
/// `SQLiteStore` in a temporary directory (fsync on, as the server runs it), U
/// users, S senders each keeping W sends in flight (1:1, and with
/// `groupMembers` > 0 one send in `groupEvery` to one group), and cursor moves
/// as devices ack. It reports the process's CPU per message: what the write
/// path costs, apart from the network and the actors above it.
///
/// Every inbox is read back afterwards: the counters are checked against what
/// was committed (items held, seq gaps), so a faster write path that lost
/// an item would show here.
public struct StoreScenario: Sendable {
    public struct Options: Sendable {
        public var users = 1_000
        public var senders = 50
        public var inFlight = 10
        /// Sends in total: the run stops after this many or after `duration`, whichever comes first.
        public var messages = 50_000
        public var duration: Duration = .seconds(60)
        /// Members of the one group (0: 1:1 sends only).
        public var groupMembers = 0
        /// With a group, one send in this many goes to it.
        public var groupEvery = 10
        /// A device moves its cursor every this many items it holds (as `roost bench` clients ack).
        public var ackEvery = 16
        /// `synchronous=FULL` (every commit fsynced), as `roost serve` runs.
        public var fsync = true
        /// Directory for the database (default: a new temporary one, removed afterwards).
        public var directory: String?
        public init() {}
    }

    public struct Result: Codable, Sendable {
        public var scenario = "store"
        public let users: Int
        public let senders: Int
        public let inFlight: Int
        public let groupMembers: Int
        public let fsync: Bool
        public let durationS: Double
        /// Sends committed and answered (1:1 and group).
        public let messages: Int
        public let directMessages: Int
        public let groupMessages: Int
        public let duplicates: Int
        public let errors: Int
        /// Inbox items the sends reported (every recipient's copy and the sender's).
        public let items: Int
        public let cursorMoves: Int
        public let messagesPerS: Double
        public let batches: Int
        public let meanBatch: Double
        /// Process CPU (user + system) during the sends, per message and per inbox item.
        public let cpuMicrosPerMessage: Double
        public let cpuMicrosPerItem: Double
        /// Read back after the run: items held by all inboxes, and seqs missing below a head.
        public let itemsStored: Int
        public let seqGaps: Int

        enum CodingKeys: String, CodingKey {
            case scenario, users, senders, fsync, messages, duplicates, errors, items, batches
            case inFlight = "in_flight", groupMembers = "group_members", durationS = "duration_s"
            case directMessages = "direct_messages", groupMessages = "group_messages"
            case cursorMoves = "cursor_moves", messagesPerS = "messages_per_s", meanBatch = "mean_batch"
            case cpuMicrosPerMessage = "cpu_us_per_message", cpuMicrosPerItem = "cpu_us_per_item"
            case itemsStored = "items_stored", seqGaps = "seq_gaps"
        }

        public var summary: String {
            let group = groupMembers > 0 ? ", \(groupMessages) to a group of \(groupMembers)" : ""
            return """
            store: \(users) users, \(senders) senders, \(inFlight) in flight each, fsync \(fsync ? "on" : "off")
              \(messages) messages (\(directMessages) 1:1\(group)) in \(format(durationS)) s: \(Int(messagesPerS)) msgs/s
              \(batches) batches committed, \(format(meanBatch, decimals: 1)) writes per batch, \(cursorMoves) cursor moves
              process CPU \(format(cpuMicrosPerMessage)) us per message, \(format(cpuMicrosPerItem)) us per inbox item
              read back: \(itemsStored) items of \(items), seq gaps \(seqGaps), duplicates \(duplicates), errors \(errors)
            """
        }
    }

    let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run() async throws -> Result {
        let options = options
        let directory = options.directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("roost-bench-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var storeOptions = SQLiteStore.Options()
        storeOptions.synchronousFull = options.fsync
        let store = try SQLiteStore(path: directory + "/roost.sqlite", options: storeOptions)

        let users = try await Self.createUsers(store, count: max(options.users, 2))
        let senders = Array(users.prefix(max(1, min(options.senders, users.count))))
        let group: GroupInfo? = options.groupMembers > 0
            ? try await Self.createGroup(store, users: users, members: options.groupMembers) : nil
        let groupHeads = try await Self.heads(store, users: users)

        let counters = Counters()
        let runID = newRunID()
        let started = ContinuousClock.now
        let deadline = started + options.duration
        let cpuBefore = Self.processCPUSeconds()
        let batchesBefore = store.committedBatches
        await withTaskGroup(of: Void.self) { tasks in
            for (s, sender) in senders.enumerated() {
                for lane in 0..<max(1, options.inFlight) {
                    tasks.addTask {
                        await Self.sendLoop(store: store, sender: sender, stream: "\(runID)-\(s)-\(lane)", users: users,
                                            group: group, options: options, counters: counters, deadline: deadline)
                    }
                }
            }
        }
        let elapsed = seconds(ContinuousClock.now - started)
        let cpu = Self.processCPUSeconds() - cpuBefore
        let batches = store.committedBatches - batchesBefore
        let (stored, gaps) = try await Self.readBack(store, users: users, after: groupHeads)
        try await store.close()

        let messages = counters.direct.load(ordering: .relaxed) + counters.group.load(ordering: .relaxed)
        let items = counters.items.load(ordering: .relaxed)
        return Result(
            users: users.count, senders: senders.count, inFlight: options.inFlight,
            groupMembers: group?.members.count ?? 0, fsync: options.fsync, durationS: elapsed, messages: messages,
            directMessages: counters.direct.load(ordering: .relaxed), groupMessages: counters.group.load(ordering: .relaxed),
            duplicates: counters.duplicates.load(ordering: .relaxed), errors: counters.errors.load(ordering: .relaxed),
            items: items, cursorMoves: counters.cursorMoves.load(ordering: .relaxed),
            messagesPerS: Double(messages) / max(elapsed, 1e-9), batches: batches,
            meanBatch: batches > 0 ? Double(messages) / Double(batches) : 0,
            cpuMicrosPerMessage: messages > 0 ? cpu * 1e6 / Double(messages) : 0,
            cpuMicrosPerItem: items > 0 ? cpu * 1e6 / Double(items) : 0,
            itemsStored: stored, seqGaps: gaps)
    }

    final class Counters: Sendable {
        let next = Atomic<Int>(0)
        let direct = Atomic<Int>(0)
        let group = Atomic<Int>(0)
        let duplicates = Atomic<Int>(0)
        let errors = Atomic<Int>(0)
        let items = Atomic<Int>(0)
        let cursorMoves = Atomic<Int>(0)
    }

    /// One in-flight lane of one sender: sends one after another until the
    /// run's message budget or deadline is spent.
    static func sendLoop(store: SQLiteStore, sender: Int64, stream: String, users: [Int64], group: GroupInfo?,
                         options: Options, counters: Counters, deadline: ContinuousClock.Instant) async {
        var rng = SystemRandomNumberGenerator()
        var sent = 0
        while ContinuousClock.now < deadline {
            let index = counters.next.add(1, ordering: .relaxed).oldValue
            guard index < options.messages else { return }
            let clientID = "\(stream)-\(sent)"
            sent += 1
            let content = MessageContent(text: "bench message \(index) from \(sender)")
            do {
                let outcome: SendOutcome
                if let group, group.members.contains(sender), index % max(1, options.groupEvery) == 0 {
                    outcome = try await store.sendGroup(
                        GroupSend(from: sender, device: "bench", clientID: clientID, group: group.id, content: content),
                        members: group.members, version: group.version).send
                    counters.group.add(1, ordering: .relaxed)
                } else {
                    var to = users[Int.random(in: 0..<users.count, using: &rng)]
                    if to == sender { to = users[(users.firstIndex(of: sender)! + 1) % users.count] }
                    outcome = try await store.sendDirect(
                        DirectSend(from: sender, device: "bench", clientID: clientID, to: to, content: content))
                    counters.direct.add(1, ordering: .relaxed)
                }
                if outcome.duplicate { counters.duplicates.add(1, ordering: .relaxed) }
                counters.items.add(outcome.deliveries.count, ordering: .relaxed)
                // Each holder's device acks cumulatively every `ackEvery` items, as a client does.
                for delivery in outcome.deliveries where delivery.item.seq % Int64(max(1, options.ackEvery)) == 0 {
                    store.setCursor(user: delivery.user, device: "bench", to: delivery.item.seq)
                    counters.cursorMoves.add(1, ordering: .relaxed)
                }
            } catch {
                counters.errors.add(1, ordering: .relaxed)
            }
        }
    }

    static func createUsers(_ store: SQLiteStore, count: Int) async throws -> [Int64] {
        let prefix = newRunID()
        return try await withThrowingTaskGroup(of: Int64.self) { tasks in
            for i in 0..<count {
                tasks.addTask {
                    try await store.createUser(username: "bench-store-\(prefix)-\(i)", passwordHash: "-", isAdmin: false).id
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }.sorted()
        }
    }

    static func createGroup(_ store: SQLiteStore, users: [Int64], members count: Int) async throws -> GroupInfo {
        let members = Array(users.prefix(max(2, min(count, users.count))))
        return try await store.createGroup(owner: members[0], name: "bench", members: members, open: false,
                                           cap: members.count).group
    }

    static func heads(_ store: SQLiteStore, users: [Int64]) async throws -> [Int64: Int64] {
        var heads: [Int64: Int64] = [:]
        for user in users { heads[user] = try await store.head(of: user) }
        return heads
    }

    /// Items every inbox holds above `after` (the group events of the setup),
    /// and the seqs missing between 1 and each head.
    static func readBack(_ store: SQLiteStore, users: [Int64], after: [Int64: Int64]) async throws -> (items: Int, gaps: Int) {
        var items = 0, gaps = 0
        for user in users {
            var expected: Int64 = 1
            var cursor: Int64 = 0
            while true {
                let page = try await store.items(user: user, after: cursor, limit: 1_000)
                guard let last = page.last else { break }
                for item in page {
                    if item.seq != expected { gaps += Int(item.seq - expected) }
                    expected = item.seq + 1
                    if item.seq > after[user] ?? 0 { items += 1 }
                }
                cursor = last.seq
            }
        }
        return (items, gaps)
    }

    /// User + system CPU time of this process, in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
