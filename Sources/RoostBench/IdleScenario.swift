import Foundation
import Synchronization

/// `idle`: C authenticated connections held open; connections opened per
/// second and the server's memory per connection (RSS growth, needs `--server-pid`).
/// Against a loopback server the connections come from `sourceAddresses`
/// addresses (127.0.0.2, 127.0.0.3, ...), round robin (`BenchSocket`).
public struct IdleScenario: Sendable {
    public struct Result: Codable, Sendable {
        public var scenario = "idle"
        public let connections: Int
        public let opened: Int
        public let failed: Int
        public let openSeconds: Double
        public let connectionsPerS: Double
        public let serverRSSGrowthBytes: Int?
        public let bytesPerConnection: Double?

        enum CodingKeys: String, CodingKey {
            case scenario, connections, opened, failed
            case openSeconds = "open_s", connectionsPerS = "connections_per_s"
            case serverRSSGrowthBytes = "server_rss_growth_bytes", bytesPerConnection = "server_bytes_per_connection"
        }

        public var summary: String {
            var text = "idle: \(opened) of \(connections) authenticated connections open (\(failed) failed) in \(format(openSeconds)) s: \(Int(connectionsPerS)) connections/s"
            if let per = bytesPerConnection { text += "\n  server memory \(format(per / 1024)) KiB per connection" }
            return text
        }
    }

    let context: BenchContext
    let connections: Int
    let hold: Duration
    let sourceAddresses: Int
    let devicesPerUser = 10

    public init(context: BenchContext, connections: Int, hold: Duration = .seconds(2), sourceAddresses: Int = 16) {
        self.context = context
        self.connections = connections
        self.hold = hold
        self.sourceAddresses = sourceAddresses
    }

    /// The source addresses to spread over: none (any address) unless the
    /// server is on IPv4 loopback.
    var sources: [String] {
        guard sourceAddresses > 0, let host = URLComponents(string: context.url)?.host, host.hasPrefix("127.") else {
            return []
        }
        return (0..<min(sourceAddresses, 250)).map { "127.0.0.\($0 + 2)" }
    }

    public func prepare() async throws {
        _ = try await context.users.users(prefix: "bench-idle", count: (connections + devicesPerUser - 1) / devicesPerUser)
    }

    public func run() async throws -> Result {
        raiseFileLimit()
        let userCount = (connections + devicesPerUser - 1) / devicesPerUser
        let users = try await context.users.users(prefix: "bench-idle", count: userCount)
        let before = await context.probe.sample()
        let started = ContinuousClock.now
        let counters = Counters()
        let allWelcomed = AsyncStream.makeStream(of: Void.self)
        let total = connections
        let devices = devicesPerUser
        let http = context.http
        let sources = self.sources
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                if index >= 64 { try await group.next() }
                let user = users[index / devices]
                group.addTask {
                    do {
                        let peer = try await BenchPeer.connect(
                            http: http, user: user, device: "idle-\(index % devices)",
                            source: sources.isEmpty ? nil : sources[index % sources.count], ackEvery: 1 << 30) { _, _ in }
                        peer.onWelcome {
                            if counters.welcomed.add(1, ordering: .relaxed).newValue == total { allWelcomed.continuation.yield() }
                        }
                        counters.peers.withLock { $0.append(peer) }
                    } catch {
                        if counters.failed.add(1, ordering: .relaxed).newValue + counters.welcomed.load(ordering: .relaxed) >= total {
                            allWelcomed.continuation.yield()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let waitLimit = Task {
            try await Task.sleep(for: .seconds(30))
            allWelcomed.continuation.yield()
        }
        if counters.failed.load(ordering: .relaxed) < total { for await _ in allWelcomed.stream { break } }
        waitLimit.cancel()
        let openSeconds = seconds(ContinuousClock.now - started)
        try await Task.sleep(for: hold)
        let after = await context.probe.sample()
        let opened = counters.welcomed.load(ordering: .relaxed)
        for peer in counters.peers.withLock({ $0 }) { peer.close() }
        try await Task.sleep(for: .milliseconds(500))
        let growth = after.rssBytes.flatMap { a in before.rssBytes.map { a - $0 } }
        return Result(connections: total, opened: opened, failed: counters.failed.load(ordering: .relaxed),
                      openSeconds: openSeconds, connectionsPerS: Double(opened) / openSeconds,
                      serverRSSGrowthBytes: growth,
                      bytesPerConnection: growth.map { opened > 0 ? Double($0) / Double(opened) : 0 })
    }
}

final class Counters: Sendable {
    let peers = Mutex<[BenchPeer]>([])
    let failed = Atomic<Int>(0)
    let welcomed = Atomic<Int>(0)
}

/// Lifts this process's open-file limit to its hard limit (thousands of sockets).
public func raiseFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
