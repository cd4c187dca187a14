import Foundation
import RoostCore
import RoostServer
import Testing

/// The settings resolver on its own: precedence, unknown keys, bad values, secrets.
@Suite("Configuration: precedence and errors")
struct ConfigurationTests {
    /// A temp directory holding `name` with `yaml`; returns (directory, file path).
    static func file(_ yaml: String, name: String = "roost.yaml") throws -> (directory: String, path: String) {
        let directory = TempDirectory.make()
        let path = (directory as NSString).appendingPathComponent(name)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    static func resolve(flags: FlagValues = FlagValues(), file: String? = nil, environment: [String: String] = [:],
                        directory: String = TempDirectory.make()) async throws -> EffectiveConfiguration {
        try await ConfigurationResolver.resolve(flags: flags, configFile: file, environment: environment,
                                                workingDirectory: directory)
    }

    /// The error `body` throws, which must be a `ConfigurationError`.
    static func error(_ body: () async throws -> EffectiveConfiguration) async -> ConfigurationError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test("A flag beats the environment, which beats the file, which beats the default")
    func precedence() async throws {
        let (_, path) = try Self.file("""
            port: 9001
            retry-interval: 2
            push-window: 10
            rate-messages: 30/min
            allow-origin: [https://a.example, https://b.example]
            """)
        var flags = FlagValues()
        flags["port"] = 9003
        let config = try await Self.resolve(flags: flags, file: path, environment: [
            "ROOST_PORT": "9002", "ROOST_RETRY_INTERVAL": "3", "ROOST_MAX_TEXT_BYTES": "100",
        ])
        let s = config.settings
        #expect(s.port == 9003)
        #expect(config.sources["port"] == .flag("--port"))
        #expect(s.core.retryInterval == .seconds(3))
        #expect(config.sources["retry-interval"] == .environment("ROOST_RETRY_INTERVAL"))
        #expect(s.core.maxTextBytes == 100)
        #expect(s.core.pushWindow == 10)
        #expect(config.sources["push-window"] == .file(path))
        #expect(s.core.rates.messages == RateRule(burst: 30, per: .seconds(60)))
        #expect(s.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(s.core.idleTimeout == .seconds(90))
        #expect(config.sources["idle-timeout"] == .defaultValue)
        #expect(config.file == path)
    }

    @Test("Every key has a default, and nothing set gives ServerSettings' defaults")
    func defaults() async throws {
        let config = try await Self.resolve()
        let defaults = ServerSettings()
        #expect(config.settings.port == defaults.port)
        #expect(config.settings.core.rates.messages == defaults.core.rates.messages)
        #expect(config.settings.durableCommits)
        #expect(config.file == nil)
        #expect(config.sources.values.allSatisfy { $0 == .defaultValue })
        #expect(config.sources.count == ServerSettings.table.count)
    }

    @Test("./roost.yaml is read when present; ROOST_CONFIG names another file; --config beats both")
    func fileChoice() async throws {
        let (directory, _) = try Self.file("port: 7001\n")
        let local = try await Self.resolve(directory: directory)
        #expect(local.settings.port == 7001)
        #expect(local.file == "./roost.yaml")
        let (_, other) = try Self.file("port: 7002\n", name: "other.yaml")
        let viaEnvironment = try await Self.resolve(environment: ["ROOST_CONFIG": other], directory: directory)
        #expect(viaEnvironment.settings.port == 7002)
        let (_, third) = try Self.file("port: 7003\n", name: "third.yaml")
        let viaFlag = try await Self.resolve(file: third, environment: ["ROOST_CONFIG": other], directory: directory)
        #expect(viaFlag.settings.port == 7003)
    }

    @Test("A named config file that does not exist is an error")
    func missingFile() async {
        let error = await Self.error { try await Self.resolve(file: "/nonexistent/roost.yaml") }
        #expect(error == .missingFile("/nonexistent/roost.yaml"))
    }

    @Test("An unknown key in the file fails, naming the key and suggesting the right one")
    func unknownFileKey() async throws {
        let (_, path) = try Self.file("port: 8080\nmax-frame-byte: 1024\n")
        let error = await Self.error { try await Self.resolve(file: path) }
        #expect(error == .unknownKey("max-frame-byte", file: path, suggestion: "max-frame-bytes"))
        #expect(error?.description.contains("max-frame-byte") == true)
        let (_, nested) = try Self.file("rate:\n  messages: 5/min\n")
        let nestedError = await Self.error { try await Self.resolve(file: nested) }
        #expect(nestedError == .unknownKey("rate.messages", file: nested, suggestion: "rate-messages"))
    }

    @Test("Bad values fail, naming the key, the value and the source")
    func badValues() async throws {
        let (_, path) = try Self.file("port: abc\n")
        let fromFile = await Self.error { try await Self.resolve(file: path) }
        #expect(fromFile == .badValue(key: "port", source: .file(path), value: "abc", expected: "an integer 0...65535"))

        let rate = await Self.error { try await Self.resolve(environment: ["ROOST_RATE_MESSAGES": "5/parsec"]) }
        guard case .badValue(let key, let source, let value, _) = rate else {
            Issue.record("expected a bad value, got \(String(describing: rate))")
            return
        }
        #expect(key == "rate-messages" && source == .environment("ROOST_RATE_MESSAGES") && value == "5/parsec")
        #expect(rate?.description.contains("rate-messages") == true)

        let negative = await Self.error { try await Self.resolve(environment: ["ROOST_RETRY_INTERVAL": "-1"]) }
        #expect(negative == .badValue(key: "retry-interval", source: .environment("ROOST_RETRY_INTERVAL"), value: "-1",
                                      expected: "seconds > 0"))

        var flags = FlagValues()
        flags["bcrypt-cost"] = 99
        let cost = await Self.error { try await Self.resolve(flags: flags) }
        #expect(cost == .badValue(key: "bcrypt-cost", source: .flag("--bcrypt-cost"), value: "99",
                                  expected: "an integer 4...31"))

        let (_, levelFile) = try Self.file("log-level: loud\n")
        let level = await Self.error { try await Self.resolve(file: levelFile) }
        if case .badValue(let key, .file, let value, _)? = level {
            #expect(key == "log-level" && value == "loud")
        } else {
            Issue.record("expected a bad log-level from the file, got \(String(describing: level))")
        }
    }

    @Test("A bad value that a stronger source overrides is not read")
    func overriddenBadValue() async throws {
        var flags = FlagValues()
        flags["rate-messages"] = "off"
        // `make conformance` sets ROOST_RATE_MESSAGES=5 for the suite, and the limit as a flag.
        let config = try await Self.resolve(flags: flags, environment: ["ROOST_RATE_MESSAGES": "5"])
        #expect(config.settings.core.rates.messages.isOff)
    }

    @Test("A test harness's ROOST_RATE_MESSAGES=5 (a burst, not a rate) neither stops the server nor sets a limit")
    func harnessRateVariables() async throws {
        let config = try await Self.resolve(environment: ["ROOST_RATE_MESSAGES": "5", "ROOST_RATE_HTTP": "7/s",
                                                          "ROOST_GROUP_MEMBER_CAP": "0"])
        #expect(config.settings.core.rates.messages == ServerSettings().core.rates.messages)
        #expect(config.settings.core.groupMemberCap == ServerSettings().core.groupMemberCap)
        #expect(config.ignoredEnvironment == ["ROOST_GROUP_MEMBER_CAP", "ROOST_RATE_MESSAGES"])
        #expect(config.settings.core.rates.http.description == "7/s")
        // Anything else that is not a rate still fails, naming the variable.
        await #expect(throws: ConfigurationError.self) {
            _ = try await Self.resolve(environment: ["ROOST_RATE_MESSAGES": "5/parsec"])
        }
    }

    @Test("A signing secret shorter than 32 bytes stops the start (HS256 needs a key as long as its hash)")
    func shortJWTSecret() async throws {
        await #expect(throws: ConfigurationError.self) {
            _ = try await Self.resolve(environment: ["ROOST_JWT_SECRET": "x"])
        }
        let ok = try await Self.resolve(environment: ["ROOST_JWT_SECRET": String(repeating: "s", count: 32)])
        #expect(ok.settings.jwtSecret?.utf8.count == 32)
    }

    @Test("Unknown ROOST_* variables are listed as ignored, the tools' own are not")
    func unknownEnvironment() async throws {
        let config = try await Self.resolve(environment: [
            "ROOST_BIN": "/x/roost", "ROOST_ARGS": "--bcrypt-cost 4", "ROOST_RETRY_INTERVAL_S": "1",
            "ROOST_PORTT": "1", "ROOST_PASSWORD": "p", "HOME": "/root", "ROOST_PORT": "8181",
        ])
        #expect(config.ignoredEnvironment == ["ROOST_PORTT", "ROOST_RETRY_INTERVAL_S"])
        #expect(config.settings.port == 8181)
    }

    @Test("Secrets are masked in the rendered configuration and never quoted in errors")
    func secretsMasked() async throws {
        let (_, path) = try Self.file("metrics-token: file-token-123\n")
        let config = try await Self.resolve(file: path, environment: ["ROOST_JWT_SECRET": "env-secret-456-0123456789abcdef-0123"])
        #expect(config.settings.jwtSecret == "env-secret-456-0123456789abcdef-0123")
        #expect(config.settings.metricsToken == "file-token-123")
        let text = config.rendered
        #expect(!text.contains("env-secret-456-0123456789abcdef-0123") && !text.contains("file-token-123"))
        #expect(text.contains("jwt-secret") && text.contains("***"))
        #expect(config.entries.first { $0.key == "metrics-token" }?.value == "***")
        #expect(config.entries.first { $0.key == "port" }?.value == "8080")
    }

    @Test("Toggles: no-rate-limits turns every rate off, no-fsync turns fsync off")
    func toggles() async throws {
        let config = try await Self.resolve(environment: ["ROOST_NO_RATE_LIMITS": "true", "ROOST_NO_FSYNC": "yes"])
        #expect(config.settings.core.rates.messages.isOff && config.settings.core.rates.connectionsPerIP.isOff)
        #expect(!config.settings.durableCommits)
    }

    @Test("A list key takes a YAML sequence, a single scalar, or a comma-separated variable")
    func lists() async throws {
        let (_, path) = try Self.file("allow-origin: https://one.example\n")
        let scalar = try await Self.resolve(file: path)
        #expect(scalar.settings.allowedOrigins == ["https://one.example"])
        #expect(scalar.sources["allow-origin"] == .file(path))
        let environment = try await Self.resolve(environment: ["ROOST_ALLOW_ORIGIN": "https://a.example,https://b.example"])
        #expect(environment.settings.allowedOrigins == ["https://a.example", "https://b.example"])
    }

    @Test("metrics-listen takes HOST:PORT")
    func metricsListen() async throws {
        let config = try await Self.resolve(environment: ["ROOST_METRICS_LISTEN": "127.0.0.1:9100"])
        #expect(config.settings.metricsListen == ListenAddress(host: "127.0.0.1", port: 9100))
        #expect(ListenAddress(parsing: "[::1]:9090") == ListenAddress(host: "::1", port: 9090))
        #expect(ListenAddress(parsing: "[::1]:9090")?.description == "[::1]:9090")
        #expect(ListenAddress(parsing: "host:99999") == nil)
        let error = await Self.error { try await Self.resolve(environment: ["ROOST_METRICS_LISTEN": "9100"]) }
        #expect(error == .badValue(key: "metrics-listen", source: .environment("ROOST_METRICS_LISTEN"), value: "9100",
                                   expected: "HOST:PORT"))
    }

    @Test("docs/configuration.md lists every setting with its environment variable")
    func referenceDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for setting in ServerSettings.table {
            #expect(page.contains("`\(setting.key)`") && page.contains(setting.environmentName),
                    "docs/configuration.md lacks \(setting.key): regenerate with `roost config --reference`")
        }
    }
}
