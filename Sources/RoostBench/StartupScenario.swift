import Foundation
import RoostClient

/// `startup`: how long `roost serve` takes from being started to answering
/// `GET /health` with 200 on an existing data directory (issue 9: under
/// 0.5 s). The first start creates the data directory and is not timed; each
/// timed run starts the binary, polls `/health` every 2 ms, then stops it with
/// SIGTERM and waits for it to exit.
public struct StartupScenario: Sendable {
    public struct Result: Codable, Sendable {
        public var scenario = "startup"
        public let runs: Int
        public let dataBytes: Int64
        public let minSeconds: Double
        public let medianSeconds: Double
        public let maxSeconds: Double

        enum CodingKeys: String, CodingKey {
            case scenario, runs
            case dataBytes = "data_bytes"
            case minSeconds = "min_s", medianSeconds = "median_s", maxSeconds = "max_s"
        }

        public var summary: String {
            """
            startup: \(runs) starts on an existing data directory (\(dataBytes / 1024) KiB of database)
              start to /health ok: min \(format(minSeconds * 1000)) ms, median \(format(medianSeconds * 1000)) ms, max \(format(maxSeconds * 1000)) ms
            """
        }
    }

    /// Why a start could not be measured.
    public enum Failure: Error, CustomStringConvertible {
        case neverHealthy(seconds: Double, output: String)

        public var description: String {
            switch self {
            case .neverHealthy(let seconds, let output): "the server did not answer /health within \(seconds) s: \(output)"
            }
        }
    }

    let binary: String
    let dataDirectory: String
    let runs: Int
    let port: Int
    let timeout: Duration

    public init(binary: String, dataDirectory: String, runs: Int, port: Int, timeout: Duration = .seconds(20)) {
        self.binary = binary
        self.dataDirectory = dataDirectory
        self.runs = runs
        self.port = port
        self.timeout = timeout
    }

    public func run() async throws -> Result {
        _ = try await timedStart()   // creates the data directory if it is new
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try await timedStart()) }
        samples.sort()
        let attributes = try? FileManager.default.attributesOfItem(atPath: dataDirectory + "/roost.sqlite")
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        return Result(runs: runs, dataBytes: size, minSeconds: samples.first ?? 0,
                      medianSeconds: samples[samples.count / 2], maxSeconds: samples.last ?? 0)
    }

    /// Seconds from spawning the server to its first 200 on `/health`.
    private func timedStart() async throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", String(port), "--data", dataDirectory, "--log-level", "error"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let http = RoostHTTP(baseURL: "http://127.0.0.1:\(port)")
        let started = ContinuousClock.now
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        while ContinuousClock.now - started < timeout {
            if let reply = try? await http.request("GET", "/health"), reply.status == 200 {
                return seconds(ContinuousClock.now - started)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        process.terminate()
        let text = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        throw Failure.neverHealthy(seconds: seconds(timeout), output: String(text.suffix(500)))
    }
}
