import Logging
import RoostCore
import RoostPush
import RoostStorage
import ServiceLifecycle

/// Closes the sockets of accounts changed outside this process: `roost user
/// passwd|del|ban` write the data directory directly and record an event;
/// this polls for new events (one indexed read per interval) and kicks the
/// user's connections opened with tokens older than the change.
struct AccountEventWatcher: Service {
    let store: any AccountEventLog
    let registry: SessionRegistry
    /// The storage dropped a banned or deleted user's endpoints; the worker forgets them too.
    let push: PushDispatcher
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var last = try await store.lastAccountEventID()
        let interval = self.interval
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                for event in try await store.accountEvents(after: last, limit: 500) {
                    last = event.id
                    await apply(event)
                }
            } catch {
                logger.warning("could not read account events", metadata: ["error": "\(error)"])
            }
        }
    }

    private func apply(_ event: AccountEvent) async {
        switch event.kind {
        case .revoked:
            await registry.kickStale(of: event.user, current: event.tokenVersion, reason: "revoked")
        case .deleted:
            await registry.kickStale(of: event.user, current: nil, reason: "deleted")
            await push.forget(user: event.user)
        case .banned:
            await registry.kickStale(of: event.user, current: nil, reason: "banned")
            await push.forget(user: event.user)
        }
    }
}
