/// Where a setting's effective value came from. The cases are in precedence
/// order: a flag beats the environment, which beats the file, which beats the default.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    /// `--key` on the command line.
    case flag(String)
    /// A `ROOST_*` environment variable, by name.
    case environment(String)
    /// The YAML config file, by path.
    case file(String)
    /// No source set it.
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let name): "flag \(name)"
        case .environment(let name): "env \(name)"
        case .file(let path): "file \(path)"
        case .defaultValue: "default"
        }
    }
}
