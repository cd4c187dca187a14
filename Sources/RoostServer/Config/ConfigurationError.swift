/// Why `roost serve` (or `roost config`) refuses its configuration. Every
/// case names the key and where it was read, so the message says what to fix.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A key in the config file that is no setting (a typo, or a nested key).
    case unknownKey(String, file: String, suggestion: String?)
    /// A value that the setting does not take; `value` is nil for secrets.
    case badValue(key: String, source: SettingSource, value: String?, expected: String)
    /// `--config FILE` or `ROOST_CONFIG` names a file that does not exist.
    case missingFile(String)
    /// The file is not YAML, or not a mapping of keys to values.
    case unreadableFile(String, reason: String)

    public var description: String {
        switch self {
        case .unknownKey(let key, let file, let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return "\(file): unknown key '\(key)'\(hint); `roost config --reference` lists every key"
        case .badValue(let key, let source, let value, let expected):
            let shown = value.map { "'\($0)'" } ?? "the value"
            return "\(key): \(shown) from \(source) is not \(expected)"
        case .missingFile(let path):
            return "config file \(path) does not exist"
        case .unreadableFile(let path, let reason):
            return "config file \(path) is not a YAML mapping of settings: \(reason)"
        }
    }
}
