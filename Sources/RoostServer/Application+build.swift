import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import RoostCore
import RoostPush
import RoostPostgres
import RoostStorage
import ServiceLifecycle

/// The running pieces of a Roost server: the Hummingbird application plus
/// what tests and the CLI need to reach (services, store).
public struct RoostApplication: Sendable {
    public let application: Application<RouterResponder<RoostRequestContext>>
    public let services: RoostServices
    /// Open WebSockets, closed with 1001 when the server stops.
    public let drain: ConnectionDrain
    /// The `--metrics-listen` listener, when configured: run beside the main one.
    public let metricsApplication: (any Service)?
    /// Push for offline devices (registrations, and a ban's `removeAll`).
    public let push: PushDispatcher
    let logger: Logger

    /// Runs until SIGTERM or SIGINT, then shuts down in order: WebSockets closed
    /// with 1001 (at most `drainTimeout`), HTTP server stopped, writer flushed,
    /// WAL checkpointed. Whatever still runs after `shutdownTimeout` is cancelled,
    /// so the process always exits.
    public func runUntilSignalled(drainTimeout: Duration = .seconds(5),
                                  shutdownTimeout: Duration = .seconds(15)) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: DrainService(drain: drain, timeout: drainTimeout, logger: logger)),
            ] + (metricsApplication.map { [.init(service: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Builds the application for `settings`: opens the data directory and the
/// database, wires routes and the WebSocket endpoint.
public func buildApplication(
    _ settings: ServerSettings,
    logger: Logger = Logger(label: "roost"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    onMetricsRunning: @escaping @Sendable (ListenAddress) async -> Void = { _ in }
) async throws -> RoostApplication {
    MetricsRegistry.bootstrapOnce()
    // Unreadable certificate or key files stop the start before anything is opened.
    guard (settings.tlsCertificatePath == nil) == (settings.tlsKeyPath == nil) else { throw TLSFiles.Failure.incomplete }
    let tlsConfiguration = try settings.tls?.serverConfiguration()
    let dataURL = URL(fileURLWithPath: settings.dataDirectory, isDirectory: true)
    try FileManager.default.createDirectory(at: dataURL, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: dataURL.appendingPathComponent("files", isDirectory: true),
                                            withIntermediateDirectories: true)
    let (store, lock) = try await openStore(settings, dataURL: dataURL, logger: logger)
    let secret: String
    do {
        secret = try await tokenSecret(settings, store: store, dataURL: dataURL)
    } catch {
        try? await store.close()
        lock?.release()
        throw error
    }
    let services = await RoostServices(settings: settings.core, store: store, tokenSecret: secret, logger: logger)

    let push = PushDispatcher(settings: settings.push, store: store, registry: services.registry,
                              logger: logger)
    let router = buildRouter(services: services, settings: settings, push: push)
    let drain = ConnectionDrain()
    var endpoint = WebSocketEndpoint(
        services: services,
        handshake: HandshakeCheck(allowedOrigins: settings.allowedOrigins, tokens: services.tokens,
                                  limiter: services.limiter, registry: services.registry,
                                  maxDevices: settings.core.maxDevicesPerUser),
        maxFrameBytes: settings.maxFrameBytes,
        drain: drain, handshakeTimeout: settings.handshakeTimeout, httpIdleTimeout: settings.httpIdleTimeout,
        compressionMaxDecompressedBytes: settings.webSocketCompression ? settings.maxFrameBytes : nil)
    endpoint.secure = tlsConfiguration != nil
    endpoint.addRefusals(to: router)
    var server = endpoint.serverBuilder()
    if let tlsConfiguration {
        server = try .tls(server, tlsConfiguration: tlsConfiguration)
    }

    let app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Roost"),
        // Stopped in reverse order: the push worker before the store closes.
        services: [StoreService(store: store, lock: lock), push]
            + accountEventWatchers(store: store, services: services, push: push, settings: settings, logger: logger)
            + clusterRelays(store: store, services: services, settings: settings, logger: logger),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
    let metrics = settings.metricsListen.map { address in
        buildMetricsApplication(services: services, settings: settings, address: address, logger: logger,
                                onServerRunning: onMetricsRunning)
    }
    return RoostApplication(application: app, services: services, drain: drain, metricsApplication: metrics,
                            push: push, logger: logger)
}

/// The `--metrics-listen` listener: `/metrics`, `/stats` and `/health` only, so
/// a scraper on a private network needs no route to the public port.
func buildMetricsApplication(
    services: RoostServices, settings: ServerSettings, address: ListenAddress, logger: Logger,
    onServerRunning: @escaping @Sendable (ListenAddress) async -> Void
) -> some Service {
    let router = Router(context: RoostRequestContext.self)
    router.add(middleware: ErrorBodyMiddleware())
    router.add(middleware: RequestObserverMiddleware())
    OperationRoutes(services: services, metricsToken: settings.metricsToken).add(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(address.host, port: address.port), serverName: "Roost"),
        onServerRunning: { channel in
            await onServerRunning(ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
        },
        logger: logger
    )
}

func buildRouter(services: RoostServices, settings: ServerSettings, push: PushDispatcher) -> Router<RoostRequestContext> {
    let router = Router(context: RoostRequestContext.self)
    router.add(middleware: ErrorBodyMiddleware())
    router.add(middleware: RequestObserverMiddleware())
    if let webRoot = settings.webRoot {
        // Only asked when no route matched (a 404), so it never shadows the API.
        router.add(middleware: WebClientHeadersMiddleware())
        router.add(middleware: FileMiddleware(webRoot, searchForIndexHtml: true))
    }
    OperationRoutes(services: services, metricsToken: settings.metricsToken).add(to: router)
    let api = router.group("api").add(middleware: RateLimitMiddleware(limiter: services.limiter))
    let accounts = AccountRoutes(services: services)
    accounts.addPublic(to: api)
    let authenticated = api.group().add(middleware: BearerAuthMiddleware(tokens: services.tokens, limiter: services.limiter))
    accounts.addAuthenticated(to: authenticated)
    GroupRoutes(services: services).add(to: authenticated)
    FriendRoutes(services: services).add(to: authenticated)
    HistoryRoutes(services: services).add(to: authenticated)
    SearchRoutes(services: services).add(to: authenticated)
    BlockRoutes(services: services).add(to: authenticated)
    let files = URL(fileURLWithPath: settings.dataDirectory, isDirectory: true).appendingPathComponent("files", isDirectory: true)
    FileRoutes(services: services, uploader: FileUploader(directory: files, maxBytes: settings.maxUploadBytes))
        .add(to: authenticated)
    AdminRoutes(services: services, push: push, dataDirectory: settings.dataDirectory).add(to: authenticated)
    PushRoutes(push: push).add(to: authenticated)
    return router
}

/// Account changes made outside this process: by the admin CLI on the SQLite
/// data directory, or through another node on PostgreSQL.
func accountEventWatchers(store: any RoostStore, services: RoostServices, push: PushDispatcher,
                          settings: ServerSettings, logger: Logger) -> [any Service] {
    guard let log = store as? any AccountEventLog, settings.accountEventInterval > .zero else { return [] }
    return [AccountEventWatcher(store: log, registry: services.registry, push: push,
                                interval: settings.accountEventInterval, logger: logger)]
}

/// SQLite in the data directory (the default), or PostgreSQL with
/// `--database`. Only SQLite takes the data directory's lock: on PostgreSQL
/// several nodes may share one directory (files, token secret).
func openStore(_ settings: ServerSettings, dataURL: URL, logger: Logger) async throws
    -> (store: any RoostStore, lock: DataDirectoryLock?) {
    if let url = settings.databaseURL {
        let redacted = (try? PostgresURL(url).redacted) ?? "?"
        let store = try await PostgresStore.open(url: url, logger: logger)
        logger.info("storage: PostgreSQL", metadata: ["database": "\(redacted)", "node": "\(store.node)"])
        return (store, nil)
    }
    // One server per data directory; `roost restore` checks the same lock.
    let lock = try DataDirectoryLock(directory: settings.dataDirectory)
    var storeOptions = SQLiteStore.Options()
    storeOptions.synchronousFull = settings.durableCommits
    storeOptions.maxBatch = settings.maxWriteBatch
    storeOptions.readers = settings.readers
    storeOptions.checkpointInterval = settings.checkpointInterval
    storeOptions.walSizeLimit = settings.walSizeLimit
    storeOptions.searchIndexInterval = settings.searchIndexInterval
    storeOptions.searchIndexChunk = settings.searchIndexChunk
    storeOptions.maxPendingWrites = settings.maxPendingWrites
    let store = try SQLiteStore(path: dataURL.appendingPathComponent("roost.sqlite").path, options: storeOptions,
                                logger: logger)
    return (store, lock)
}

/// The token-signing secret: `--jwt-secret`, else `jwt.secret` in the data
/// directory; on PostgreSQL every node must sign with the same one, so it is
/// checked against (or, without `--jwt-secret`, taken from) the database,
/// seeded from this node's `jwt.secret` when it has one.
func tokenSecret(_ settings: ServerSettings, store: any RoostStore, dataURL: URL) async throws -> String {
    let file = dataURL.appendingPathComponent("jwt.secret").path
    guard let postgres = store as? PostgresStore else {
        return try settings.jwtSecret ?? SecretFile.loadOrCreate(at: file)
    }
    let seed = settings.jwtSecret != nil || !FileManager.default.fileExists(atPath: file)
        ? SecretFile.generate() : try SecretFile.loadOrCreate(at: file)
    return try await postgres.agreeOnTokenSecret(configured: settings.jwtSecret, seed: seed)
}

/// Live delivery between nodes, on PostgreSQL only.
func clusterRelays(store: any RoostStore, services: RoostServices, settings: ServerSettings,
                   logger: Logger) -> [any Service] {
    guard let postgres = store as? PostgresStore else { return [] }
    return [ClusterRelay(store: postgres, services: services, pollInterval: settings.clusterPollInterval,
                         logger: logger)]
}

/// Closes the store after the server has stopped: queued writes are flushed
/// once the last connection is gone.
struct StoreService: Service {
    let store: any RoostStore
    /// Released only after the store is closed (and its WAL checkpointed); none on PostgreSQL.
    let lock: DataDirectoryLock?

    func run() async throws {
        try? await gracefulShutdown()
        defer { lock?.release() }
        try await store.close()
    }
}
