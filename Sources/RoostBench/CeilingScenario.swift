import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import RoostClient
import Synchronization

/// `ceiling`: the same generator against a bare Hummingbird WebSocket echo
/// route started in this process: the transport ceiling of the machine, to
/// read every other figure of the run against.
public struct CeilingScenario: Sendable {
    public struct Result: Codable, Sendable {
        public var scenario = "ceiling"
        public let connections: Int
        public let inFlight: Int
        public let durationS: Double
        public let framesPerS: Double
        public let latencyMs: LatencySummary

        enum CodingKeys: String, CodingKey {
            case scenario, connections
            case inFlight = "in_flight", durationS = "duration_s", framesPerS = "frames_per_s", latencyMs = "latency_ms"
        }

        public var summary: String {
            "ceiling: \(connections) connections, \(inFlight) in flight: \(Int(framesPerS)) frames/s echoed, latency \(latencyMs.text)"
        }
    }

    let connections: Int
    let inFlight: Int
    let duration: Duration

    public init(connections: Int, inFlight: Int, duration: Duration) {
        self.connections = connections
        self.inFlight = inFlight
        self.duration = duration
    }

    public func run() async throws -> Result {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/echo") { inbound, outbound, _ in
            for try await frame in inbound.messages(maxSize: 1 << 16) {
                if case .text(let text) = frame { try await outbound.write(.text(text)) }
            }
        }
        let port = Mutex<Int?>(nil)
        let ready = AsyncStream.makeStream(of: Void.self)
        var logger = Logger(label: "roost.bench.echo")
        logger.logLevel = .warning
        let app = Application(
            router: Router(context: BasicWebSocketRequestContext.self),
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port }
                ready.continuation.yield()
            },
            logger: logger)
        let server = Task { try await app.run() }
        for await _ in ready.stream { break }
        defer { server.cancel() }
        let url = "ws://127.0.0.1:\(port.withLock { $0 } ?? 0)/echo"

        let latencies = LatencyRecorder()
        let echoed = Atomic<Int>(0)
        let running = Atomic<Bool>(true)
        var sockets: [BenchSocket] = []
        for _ in 0..<connections {
            let box = Mutex<BenchSocket?>(nil)
            let socket = try await BenchSocket.connect(url: url, onText: { text in
                let now = monotonicNanos()
                if let sent = UInt64(text.dropFirst(2)) { latencies.record(now &- sent) }
                echoed.add(1, ordering: .relaxed)
                if running.load(ordering: .relaxed), let socket = box.withLock({ $0 }) {
                    socket.send("e:\(monotonicNanos())")
                }
            })
            box.withLock { $0 = socket }
            sockets.append(socket)
        }
        let started = ContinuousClock.now
        for socket in sockets {
            for _ in 0..<inFlight { socket.send("e:\(monotonicNanos())") }
        }
        try await Task.sleep(for: duration)
        running.store(false, ordering: .relaxed)
        let elapsed = seconds(ContinuousClock.now - started)
        let count = echoed.load(ordering: .relaxed)
        for socket in sockets { socket.close() }
        try await Task.sleep(for: .milliseconds(200))
        return Result(connections: connections, inFlight: inFlight, durationS: elapsed,
                      framesPerS: Double(count) / elapsed, latencyMs: latencies.summary())
    }
}
