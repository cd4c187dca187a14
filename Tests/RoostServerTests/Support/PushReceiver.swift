import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A push endpoint for tests: a small Hummingbird app on 127.0.0.1:0 that
/// records every request (`POST /<name>`) and answers as each name is told to
/// (a status, a few statuses then another, or hanging).
struct PushReceiver: Sendable {
    let port: Int
    let recorder: Recorder

    struct Request: @unchecked Sendable {
        let name: String
        let body: String
        let contentType: String?
        let at: ContinuousClock.Instant
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    enum Behaviour: Sendable {
        case status(Int)
        /// These statuses for the first requests, then `then`.
        case sequence([Int], then: Int)
        /// Answer 200 only after this long (longer than the server's push timeout).
        case hang(Duration)
    }

    actor Recorder {
        private(set) var requests: [Request] = []
        private var behaviours: [String: Behaviour] = [:]

        func set(_ name: String, _ behaviour: Behaviour) { behaviours[name] = behaviour }

        func record(_ request: Request) -> Behaviour {
            requests.append(request)
            let behaviour = behaviours[request.name] ?? .status(200)
            if case .sequence(var statuses, let then) = behaviour, !statuses.isEmpty {
                let first = statuses.removeFirst()
                behaviours[request.name] = .sequence(statuses, then: then)
                return .status(first)
            }
            if case .sequence(_, let then) = behaviour { return .status(then) }
            return behaviour
        }

        func requests(to name: String) -> [Request] { requests.filter { $0.name == name } }
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    func set(_ name: String, _ behaviour: Behaviour) async { await recorder.set(name, behaviour) }

    func requests(to name: String) async -> [Request] { await recorder.requests(to: name) }

    /// Polls until `name` has received `count` requests (or the deadline passes).
    func waitFor(_ name: String, count: Int = 1, timeout: Duration = .seconds(10)) async -> [Request] {
        let deadline = ContinuousClock.now + timeout
        var got = await requests(to: name)
        while got.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            got = await requests(to: name)
        }
        return got
    }

    /// Polls until a request to `name` satisfies `predicate`.
    func waitFor(_ name: String, timeout: Duration = .seconds(10),
                 where predicate: @Sendable (Request) -> Bool) async -> Request? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = await requests(to: name).first(where: predicate) { return found }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Runs `body` with a receiver listening, then stops it.
    static func run<T: Sendable>(_ body: @Sendable (PushReceiver) async throws -> T) async throws -> T {
        let recorder = Recorder()
        let router = Router()
        router.post("/:name") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let bytes = try await request.body.collect(upTo: 64 * 1024)
            let behaviour = await recorder.record(Request(
                name: name, body: String(buffer: bytes), contentType: request.headers[.contentType], at: .now))
            switch behaviour {
            case .status(let code), .sequence(_, then: let code):
                return Response(status: .init(code: code))
            case .hang(let duration):
                try? await Task.sleep(for: duration)
                return Response(status: .ok)
            }
        }
        var logger = Logger(label: "push.receiver")
        logger.logLevel = .critical
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(PushReceiver(port: port, recorder: recorder)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
