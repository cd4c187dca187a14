import Foundation
import RoostClient
import RoostServer
import Testing

/// The built binary: `roost config` output, `roost serve` refusing a bad file,
/// `--metrics-listen`.
@Suite("Configuration: the roost binary")
struct ConfigCommandTests {
    /// The line of `key` in `roost config` output.
    static func line(_ key: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(key + " ") }
    }

    @Test("roost config prints flag > environment > file > default, with sources, secrets masked")
    func configPrecedence() async throws {
        let (directory, path) = try ConfigurationTests.file("""
            # deploy/roost.yaml style
            port: 9001
            push-window: 10
            retry-interval: 2
            jwt-secret: file-secret-789-0123456789abcdef-01234
            """)
        let output = try await RoostBinary.run(
            ["config", "--config", path, "--port", "9003"],
            environment: ["ROOST_PORT": "9002", "ROOST_RETRY_INTERVAL": "3", "ROOST_BIN": "/x/roost", "ROOST_NOPE": "1"],
            directory: directory)
        #expect(output.status == 0, "roost config failed: \(output.stderr)")
        let text = output.stdout
        #expect(Self.line("port", in: text)?.contains("9003") == true)
        #expect(Self.line("port", in: text)?.contains("(flag --port)") == true)
        #expect(Self.line("retry-interval", in: text)?.contains("(env ROOST_RETRY_INTERVAL)") == true)
        #expect(Self.line("retry-interval", in: text)?.contains("= 3 ") == true)
        #expect(Self.line("push-window", in: text)?.contains("10") == true)
        #expect(Self.line("push-window", in: text)?.contains("(file \(path))") == true)
        #expect(Self.line("idle-timeout", in: text)?.hasSuffix("(default)") == true)
        #expect(Self.line("jwt-secret", in: text)?.contains("***") == true)
        #expect(!text.contains("file-secret-789-0123456789abcdef-01234"))
        #expect(text.contains("# ignored (not settings): ROOST_NOPE"))
        #expect(!text.contains("ROOST_BIN"))
    }

    @Test("A flag turns a toggle off that the environment or the file turned on")
    func flagsTurnTogglesOff() async throws {
        let (directory, path) = try ConfigurationTests.file("ws-compression: true\nno-rate-limits: true\n")
        let output = try await RoostBinary.run(
            ["config", "--config", path, "--no-ws-compression", "--fsync", "--rate-limits", "--no-push-deny-private"],
            environment: ["ROOST_NO_FSYNC": "true", "ROOST_PUSH_DENY_PRIVATE": "true"], directory: directory)
        #expect(output.status == 0, "roost config failed: \(output.stderr)")
        for (key, flag) in [("ws-compression", "--no-ws-compression"), ("no-fsync", "--fsync"),
                            ("no-rate-limits", "--rate-limits"), ("push-deny-private", "--no-push-deny-private")] {
            let line = Self.line(key, in: output.stdout)
            #expect(line?.contains("= false ") == true && line?.contains("(flag \(flag))") == true, "\(line ?? key)")
        }
        let both = try await RoostBinary.run(["config", "--no-fsync", "--fsync"], environment: [:], directory: directory)
        #expect(both.status != 0)
        #expect(both.stderr.contains("--no-fsync and --fsync contradict each other"), "\(both.stderr)")
    }

    @Test("roost serve refuses a bad value or an unknown key in its file, naming the key")
    func serveRefusesBadFile() async throws {
        let data = TempDirectory.make()
        let (directory, path) = try ConfigurationTests.file("port: abc\n")
        let bad = try await RoostBinary.run(["serve", "--config", path, "--data", data], environment: [:],
                                            directory: directory, timeout: .seconds(30))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("port: 'abc' from file \(path) is not an integer"), "stderr: \(bad.stderr)")

        let (_, unknown) = try ConfigurationTests.file("prot: 8080\n", name: "unknown.yaml")
        let refused = try await RoostBinary.run(["serve", "--config", unknown, "--data", data], environment: [:],
                                                directory: directory, timeout: .seconds(30))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("unknown key 'prot'"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("did you mean 'port'"), "stderr: \(refused.stderr)")

        let environment = try await RoostBinary.run(["serve", "--port", "0", "--data", data],
                                                    environment: ["ROOST_RATE_MESSAGES": "5/parsec"],
                                                    directory: directory, timeout: .seconds(30))
        #expect(environment.status != 0)
        #expect(environment.stderr.contains("rate-messages: '5/parsec' from env ROOST_RATE_MESSAGES"),
                "stderr: \(environment.stderr)")
    }

    @Test("roost config --reference lists every key; roost serve --help every flag")
    func referenceAndHelp() async throws {
        let reference = try await RoostBinary.run(["config", "--reference"], environment: [:])
        #expect(reference.stdout.contains("| `max-frame-bytes` | `ROOST_MAX_FRAME_BYTES` |"))
        let help = try await RoostBinary.run(["serve", "--help"], environment: [:])
        for key in ServerSettings.table.map(\.key) + ["config"] {
            #expect(help.stdout.contains("--\(key) ") || help.stdout.contains("--\(key)\n") || help.stdout.contains("--\(key) <")
                        || help.stdout.contains("--\(key)/"),
                    "serve --help lacks --\(key)")
        }
    }

    @Test("Every setting given as a flag reaches roost config as that flag")
    func everySettingIsAFlag() async throws {
        var arguments = ["config"]
        for setting in ServerSettings.table {
            switch setting.key {
            // Toggles (`true or false`) are bare flags.
            case _ where setting.expected == "true or false": arguments.append("--\(setting.key)")
            case "metrics-listen": arguments += ["--metrics-listen", "127.0.0.1:9999"]
            case "allow-origin", "metrics-token": arguments += ["--\(setting.key)", "https://x.example"]
            case "jwt-secret": arguments += ["--jwt-secret", String(repeating: "k", count: 32)]
            default: arguments += ["--\(setting.key)", setting.defaultText]
            }
        }
        let output = try await RoostBinary.run(arguments, environment: [:], directory: TempDirectory.make())
        #expect(output.status == 0, "roost config refused: \(output.stderr)")
        for setting in ServerSettings.table {
            #expect(Self.line(setting.key, in: output.stdout)?.hasSuffix("(flag --\(setting.key))") == true,
                    "--\(setting.key) does not reach the resolver (ServerFlags.values)")
        }
    }

    @Test("--metrics-listen serves /metrics on its own port, the main port keeps it; queue depth is exported")
    func metricsListener() async throws {
        let data = TempDirectory.make()
        let metricsPort = KillableServer.freePort()
        let server = try await ServerProcess.start(data: data, extra: ["--metrics-listen", "127.0.0.1:\(metricsPort)",
                                                                       "--rate-http", "off", "--rate-registrations-ip", "off"])
        do {
            let alice = try await server.http.account(username: "ml_a_\(UInt32.random(in: 0...UInt32.max))", password: "password-ml-a")
            let bob = try await server.http.account(username: "ml_b_\(UInt32.random(in: 0...UInt32.max))", password: "password-ml-b")
            let client = try await TestClient.connect(http: server.http, alice)
            #expect(await client.trySend("to the metrics", to: bob.userID))
            client.close()

            let side = RoostHTTP(baseURL: "http://127.0.0.1:\(metricsPort)")
            var metrics: RoostHTTP.Response?
            for _ in 0..<100 {
                metrics = try? await side.request("GET", "/metrics")
                if metrics != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let reply = try #require(metrics, "no answer on the metrics port")
            #expect(reply.status == 200)
            let text = String(decoding: reply.body, as: UTF8.self)
            for series in ["roost_storage_queue_depth", "roost_storage_write_seconds", "roost_messages_received_total",
                           "roost_search_index_lag_seconds"] {
                #expect(text.contains(series), "missing \(series)")
            }
            #expect(try await side.request("GET", "/health").status == 200)
            #expect(try await side.request("GET", "/api/me").status == 404, "the metrics port serves no API")
            #expect(try await server.http.request("GET", "/metrics").status == 200, "/metrics stays on the main port")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
