import Logging
import ServiceLifecycle

/// Placed after the application in the service group, so on SIGTERM it is the
/// first to be told: it closes the WebSockets with 1001 while the HTTP server
/// still runs, then the server stops and `StoreService` flushes and checkpoints.
struct DrainService: Service {
    let drain: ConnectionDrain
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let open = drain.openCount
        logger.info("shutting down", metadata: ["connections": "\(open)"])
        await drain.drain(timeout: timeout)
    }
}
