import Foundation
import RoostClient
#if canImport(Glibc)
import Glibc
#endif

/// The built `roost` binary run as a subprocess on a fixed port, so it can be
/// SIGKILLed and restarted where its clients expect it (crash tests).
final class KillableServer: @unchecked Sendable {
    let port: Int
    let dataDirectory: String
    private var process: Process?

    init(port: Int, dataDirectory: String) {
        self.port = port
        self.dataDirectory = dataDirectory
    }

    static var binary: String { RoostBinary.path }

    var http: RoostHTTP { RoostHTTP(baseURL: "http://127.0.0.1:\(port)") }

    /// Starts the server and waits until `/health` answers.
    func start(extra: [String] = []) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", String(port), "--data", dataDirectory, "--bcrypt-cost", "4",
                             "--retry-interval", "1", "--log-level", "critical",
                             "--rate-http", "off", "--rate-logins-ip", "off", "--rate-logins-account", "off",
                             "--rate-registrations-ip", "off", "--rate-connections-ip", "off",
                             "--rate-connections-user", "off", "--rate-messages", "off", "--rate-requests", "off"] + extra
        process.standardOutput = FileHandle.nullDevice
        // The server's log, for a failing test to be read after (`--log-level` in `extra` raises it).
        let log = URL(fileURLWithPath: dataDirectory).appendingPathComponent("server.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log) ?? FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let reply = try? await http.request("GET", "/health"), reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RoostHTTP.Failure.status(0, "server did not become healthy")
    }

    /// SIGKILL: no shutdown, no flush; what is committed must survive.
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGTERM and wait: a clean stop.
    func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// A free TCP port of 127.0.0.1 (bound, read, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
