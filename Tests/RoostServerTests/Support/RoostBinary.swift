import Foundation
import RoostClient
import Synchronization
import Testing

/// The built `roost` executable, for tests that need a real process (signals,
/// the admin CLI). `make test` builds it (`swift build --build-tests` builds
/// every product); `ROOST_BIN` overrides the path.
enum RoostBinary {
    static var path: String {
        if let env = ProcessInfo.processInfo.environment["ROOST_BIN"] { return env }
        // Beside the test bundle, else the package's default debug folder.
        let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("roost").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/roost").path
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `roost arguments...` to completion, with `input` on stdin. With
    /// `environment`, the child gets the test's environment without its `ROOST_*`
    /// variables plus these; `directory` is its working directory. A child still
    /// running after `timeout` is terminated (a server that should have refused to start).
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
                    directory: String? = nil, timeout: Duration = .seconds(60)) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ROOST_") }
                .merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        let pid = process.processIdentifier, finished = Locked(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeout.components.seconds)) {
            if !finished.value { kill(pid, SIGTERM) }
        }
        defer { finished.update { $0 = true } }
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// `roost serve` as a child process on a free port.
final class ServerProcess: Sendable {
    let process: Process
    let port: Int
    private let stderrText: Locked<String>

    var http: RoostHTTP { RoostHTTP(baseURL: "http://127.0.0.1:\(port)") }
    var stderr: String { stderrText.value }

    private init(process: Process, port: Int, stderrText: Locked<String>) {
        self.process = process
        self.port = port
        self.stderrText = stderrText
    }

    /// Starts the server and waits for its "listening" line.
    static func start(data: String, extra: [String] = []) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RoostBinary.path)
        process.arguments = ["serve", "--port", "0", "--data", data, "--bcrypt-cost", "4"] + extra
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdoutBox = Locked(""), stderrBox = Locked("")
        out.fileHandleForReading.readabilityHandler = { h in
            let chunk = String(decoding: h.availableData, as: UTF8.self)
            stdoutBox.update { $0 += chunk }
        }
        err.fileHandleForReading.readabilityHandler = { h in
            let chunk = String(decoding: h.availableData, as: UTF8.self)
            stderrBox.update { $0 += chunk }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let text = stdoutBox.value
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    return ServerProcess(process: process, port: port, stderrText: stderrBox)
                }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ServerStartError(stderr: stderrBox.value)
    }

    struct ServerStartError: Error, CustomStringConvertible {
        let stderr: String
        var description: String { "roost serve did not start: \(stderr)" }
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The exit status, or nil if still running after `timeout`.
    func waitExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILL if still running (test cleanup).
    func stop() async {
        if process.isRunning { signal(SIGTERM) }
        if await waitExit(timeout: .seconds(10)) == nil { signal(SIGKILL) }
    }
}

extension TestClient {
    /// Connects to any server (in-process or a child process) with `?token=`.
    static func connect(http: RoostHTTP, _ account: RoostHTTP.Account) async throws -> TestClient {
        let socket = try await RoostSocket.connect(url: http.webSocketURL(token: account.token))
        let client = TestClient(socket: socket)
        let first = try #require(await client.nextFrame(), "no welcome frame")
        #expect(first.type == "welcome", "first frame must be welcome: \(first)")
        return client
    }

    /// Sends a text; true once acked, false on an error or no answer (server gone).
    func trySend(_ text: String, to user: String) async -> Bool {
        let id = send("send_message", ["to": user, "content": ["text": text]])
        let frame = await waitFor(timeout: .seconds(3)) { ($0.type == "ack" || $0.type == "error") && $0.ref == id }
        return frame?.type == "ack"
    }

    /// Texts of every message item in the inbox, by `sync_offline` pages.
    func allTexts() async throws -> [String] {
        var texts: [String] = []
        var since = 0
        while true {
            let page = try await sync(since: since, limit: 1000)
            let items = page["items"] as? [[String: Any]] ?? []
            for item in items {
                let data = item["data"] as? [String: Any] ?? [:]
                if let seq = data["seq"] as? Int { since = max(since, seq) }
                if let text = (data["content"] as? [String: Any])?["text"] as? String { texts.append(text) }
            }
            if page["has_more"] as? Bool != true { return texts }
        }
    }
}

/// A value shared between tasks and callbacks (a `Mutex` cannot be captured by escaping closures).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func update<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
