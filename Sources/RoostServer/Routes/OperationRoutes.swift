import Foundation
import Hummingbird
import Metrics
import RoostCore
import RoostProtocol

/// `GET /health`, `GET /stats`, `GET /metrics`.
struct OperationRoutes {
    let services: RoostServices
    /// When set, `/stats` and `/metrics` need `Authorization: Bearer <token>`.
    let metricsToken: String?

    struct Stats: Encodable {
        let connections: Int
        let usersOnline: Int
        let messagesStored: Int
        let uptimeS: Int64
        let cpuSeconds: Double
        enum CodingKeys: String, CodingKey {
            case connections
            case usersOnline = "users_online"
            case messagesStored = "messages_stored"
            case uptimeS = "uptime_s"
            case cpuSeconds = "cpu_seconds"
        }
    }

    func add(to router: Router<RoostRequestContext>) {
        router.get("health") { _, _ in
            JSONBody(["status": "ok"])
        }
        router.get("stats") { request, _ in
            try checkMetricsToken(request)
            let (connections, online) = services.registry.counts
            let stored = try await services.store.stats()
            let uptime = ContinuousClock.now - services.startedAt
            return JSONBody(Stats(connections: connections, usersOnline: online, messagesStored: stored.messages,
                                  uptimeS: uptime.components.seconds, cpuSeconds: Self.processCPUSeconds()))
        }
        router.get("metrics") { request, _ in
            try checkMetricsToken(request)
            // Gauges read at scrape time: exact, and free between scrapes.
            let (connections, online) = services.registry.counts
            Gauge(label: "roost_sessions").record(connections)
            Gauge(label: "roost_users_online").record(online)
            Gauge(label: "roost_outbound_queued_frames").record(WebSocketSink.queuedEverywhere.load(ordering: .relaxed))
            let text = MetricsRegistry.registry.emitToString()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    private func checkMetricsToken(_ request: Request) throws {
        guard let metricsToken, !metricsToken.isEmpty else { return }
        guard request.headers[.authorization] == "Bearer \(metricsToken)" else {
            throw RoostError.unauthenticated("metrics token required")
        }
    }

    /// User + system CPU time of this process, for CPU-per-message figures.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}
