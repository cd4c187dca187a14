import Configuration
import Foundation

/// Turns flags, `ROOST_*` environment variables, the YAML config file and the
/// defaults, in that order of precedence, into `ServerSettings`, and remembers
/// where each value came from. swift-configuration does the lookups and the
/// type conversions; this adds what it leaves to the application: refusing
/// unknown file keys, range checks, and naming the key and source of a bad value.
public enum ConfigurationResolver {
    /// The environment variables of settings start with this.
    public static let environmentPrefix = "ROOST_"
    /// Names the config file when `--config` is not given.
    public static let fileVariable = "ROOST_CONFIG"
    /// Read from the working directory when neither `--config` nor `ROOST_CONFIG` names a file.
    public static let defaultFile = "roost.yaml"
    /// `ROOST_*` variables of Roost's own tools and test harnesses (`roost chat`,
    /// the test suites): not settings, and ignored without a warning.
    public static let toolVariables: Set<String> = [
        "ROOST_PASSWORD", "ROOST_BIN", "ROOST_ARGS", "ROOST_RATE_ARGS", "ROOST_URL", "ROOST_TEST_LOG",
    ]

    /// Resolves every setting. Throws `ConfigurationError` for a missing or
    /// unreadable file, an unknown file key or a bad value.
    public static func resolve(
        flags: FlagValues = FlagValues(), configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) async throws -> EffectiveConfiguration {
        let table = ServerSettings.table
        var roostEnvironment = environment.filter { $0.key.uppercased().hasPrefix(environmentPrefix) }
        let harnessRates = roostEnvironment.filter { isHarnessConvention(name: $0.key.uppercased(), value: $0.value) }
        for name in harnessRates.keys { roostEnvironment[name] = nil }
        let file = try chooseFile(flag: configFile, environment: roostEnvironment, workingDirectory: workingDirectory)

        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags.configValues),
            EnvironmentVariablesProvider(environmentVariables: roostEnvironment).prefixKeys(with: "roost"),
        ]
        if let file, let provider = try await fileProvider(file.path, shown: file.shown, keys: table.map(\.key)) {
            providers.append(provider)
        }

        let recorder = LastAccess()
        let reader = ConfigReader(providers: providers, accessReporter: recorder)
        var settings = ServerSettings()
        var sources: [String: SettingSource] = [:]
        for setting in table {
            let outcome = setting.resolve(reader, &settings)
            // The last provider consulted is the one that answered, or failed.
            let results = recorder.take()?.providerResults ?? []
            let source = Self.source(index: results.count - 1, key: setting, file: file?.shown,
                                     flag: flags[setting.key])
            if let last = results.last, case .failure = last.result {
                let text = setting.isSecret ? nil : reader.string(forKey: ConfigKey([setting.key]))
                throw ConfigurationError.badValue(key: setting.key, source: source, value: text, expected: setting.expected)
            }
            switch outcome {
            case .absent:
                sources[setting.key] = .defaultValue
            case .set:
                sources[setting.key] = source
            case .invalid(let text):
                throw ConfigurationError.badValue(key: setting.key, source: source,
                                                  value: setting.isSecret ? nil : text, expected: setting.expected)
            }
        }

        let known = Set(table.map(\.environmentName)).union(toolVariables).union([fileVariable])
        let ignored = (roostEnvironment.keys.filter { !known.contains($0.uppercased()) } + harnessRates.keys).sorted()
        return EffectiveConfiguration(settings: settings, sources: sources, file: file?.shown, ignoredEnvironment: ignored)
    }

    /// The shared conformance suite reads some `ROOST_*` variables that the
    /// server it starts inherits, with its own conventions: `ROOST_RATE_MESSAGES=5`
    /// tells its rate tests a burst (a bare number is never a rate; `5/s` is), and
    /// `ROOST_GROUP_MEMBER_CAP=0` means "not told". Such a value is the harness's,
    /// not a setting: ignored with the warning for unknown variables, instead of
    /// stopping the server or changing its limits.
    static func isHarnessConvention(name: String, value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if name == "ROOST_GROUP_MEMBER_CAP" { return trimmed == "0" }
        return rateVariables.contains(name) && Double(trimmed) != nil
    }

    static let rateVariables = Set(ServerSettings.table.filter { $0.expected.hasPrefix("a rate") }.map(\.environmentName))

    /// `--config`, else `ROOST_CONFIG` (both must exist), else `./roost.yaml` if present.
    /// `shown` is the path as given, for messages; `path` is absolute.
    static func chooseFile(flag: String?, environment: [String: String],
                           workingDirectory: String) throws(ConfigurationError) -> (shown: String, path: String)? {
        let named = flag ?? environment.first { $0.key.uppercased() == fileVariable }?.value
        if let named, !named.isEmpty {
            let path = named.hasPrefix("/") ? named : (workingDirectory as NSString).appendingPathComponent(named)
            guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(named) }
            return (named, path)
        }
        let local = (workingDirectory as NSString).appendingPathComponent(defaultFile)
        return FileManager.default.fileExists(atPath: local) ? ("./" + defaultFile, local) : nil
    }

    /// The YAML provider of `path`, after checking that every key is a setting;
    /// nil for a file without keys.
    static func fileProvider(_ path: String, shown: String, keys: [String]) async throws -> (any ConfigProvider)? {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadableFile(shown, reason: error.localizedDescription)
        }
        let fileKeys = try ConfigFileKeys.list(yaml: text, path: shown)
        if let unknown = fileKeys.first(where: { !keys.contains($0) }) {
            throw ConfigurationError.unknownKey(unknown, file: shown,
                                                suggestion: ConfigFileKeys.suggestion(for: unknown, among: keys))
        }
        guard !fileKeys.isEmpty else { return nil }
        do {
            return try await FileProvider<YAMLSnapshot>(filePath: .init(path))
        } catch {
            throw ConfigurationError.unreadableFile(shown, reason: "\(error)")
        }
    }

    /// The source of the provider at `index` (flags, environment, file); default below 0.
    /// A toggle switched off by a flag names the flag that did it (`--no-ws-compression`, `--fsync`).
    static func source(index: Int, key setting: Setting, file: String?, flag: (any SettingRaw)? = nil) -> SettingSource {
        switch index {
        case 0:
            if let on = flag as? Bool, !on {
                .flag(setting.key.hasPrefix("no-") ? "--" + setting.key.dropFirst(3) : "--no-" + setting.key)
            } else {
                .flag("--" + setting.key)
            }
        case 1: .environment(setting.environmentName)
        case 2: .file(file ?? defaultFile)
        default: .defaultValue
        }
    }
}
