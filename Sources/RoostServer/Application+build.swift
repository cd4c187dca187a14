import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import RoostCore
import RoostStorage
import ServiceLifecycle

/// The running pieces of a Roost server: the Hummingbird application plus
/// what tests and the CLI need to reach (services, store).
public struct RoostApplication: Sendable {
    public let application: Application<RouterResponder<RoostRequestContext>>
    public let services: RoostServices
}

/// Builds the application for `settings`: opens the data directory and the
/// database, wires routes and the WebSocket endpoint.
public func buildApplication(
    _ settings: ServerSettings,
    logger: Logger = Logger(label: "roost"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> RoostApplication {
    MetricsRegistry.bootstrapOnce()
    let dataURL = URL(fileURLWithPath: settings.dataDirectory, isDirectory: true)
    try FileManager.default.createDirectory(at: dataURL, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: dataURL.appendingPathComponent("files", isDirectory: true),
                                            withIntermediateDirectories: true)
    var storeOptions = SQLiteStore.Options()
    storeOptions.synchronousFull = settings.durableCommits
    let store = try SQLiteStore(path: dataURL.appendingPathComponent("roost.sqlite").path, options: storeOptions,
                                logger: logger)
    let secret = try settings.jwtSecret ?? SecretFile.loadOrCreate(at: dataURL.appendingPathComponent("jwt.secret").path)
    let services = await RoostServices(settings: settings.core, store: store, tokenSecret: secret, logger: logger)

    let router = buildRouter(services: services, settings: settings)
    let endpoint = WebSocketEndpoint(
        services: services,
        handshake: HandshakeCheck(allowedOrigins: settings.allowedOrigins, tokens: services.tokens),
        maxFrameBytes: settings.maxFrameBytes)
    endpoint.addRefusals(to: router)

    let app = Application(
        router: router,
        server: endpoint.serverBuilder(),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Roost"),
        services: [StoreService(store: store)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
    return RoostApplication(application: app, services: services)
}

func buildRouter(services: RoostServices, settings: ServerSettings) -> Router<RoostRequestContext> {
    let router = Router(context: RoostRequestContext.self)
    router.add(middleware: ErrorBodyMiddleware())
    if let webRoot = settings.webRoot {
        // Only asked when no route matched (a 404), so it never shadows the API.
        router.add(middleware: WebClientHeadersMiddleware())
        router.add(middleware: FileMiddleware(webRoot, searchForIndexHtml: true))
    }
    OperationRoutes(services: services, metricsToken: settings.metricsToken).add(to: router)
    let api = router.group("api")
    let accounts = AccountRoutes(services: services)
    accounts.addPublic(to: api)
    let authenticated = api.group().add(middleware: BearerAuthMiddleware(tokens: services.tokens))
    accounts.addAuthenticated(to: authenticated)
    GroupRoutes(services: services).add(to: authenticated)
    FriendRoutes(services: services).add(to: authenticated)
    HistoryRoutes(services: services).add(to: authenticated)
    let files = URL(fileURLWithPath: settings.dataDirectory, isDirectory: true).appendingPathComponent("files", isDirectory: true)
    FileRoutes(services: services, uploader: FileUploader(directory: files, maxBytes: settings.maxUploadBytes))
        .add(to: authenticated)
    return router
}

/// Closes the store after the server has stopped: queued writes are flushed
/// once the last connection is gone.
struct StoreService: Service {
    let store: any RoostStore

    func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
    }
}
