import Configuration

/// The settings given as flags, by key: the first and strongest provider.
/// Flags not given are absent, so the environment, the file or the default decide.
public struct FlagValues: Sendable {
    private(set) var values: [String: any SettingRaw] = [:]

    public init() {}

    public subscript(key: String) -> (any SettingRaw)? {
        get { values[key] }
        set {
            precondition(ServerSettings.setting(key) != nil, "no setting named \(key)")
            values[key] = newValue
        }
    }

    /// For the in-memory provider.
    var configValues: [AbsoluteConfigKey: ConfigValue] {
        var result: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values {
            result[AbsoluteConfigKey([key])] = ConfigValue(value.content, isSecret: ServerSettings.setting(key)?.isSecret ?? false)
        }
        return result
    }
}
