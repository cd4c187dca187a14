import Configuration

/// One setting of `roost serve`: a row of `ServerSettings.table`. Its key is
/// the flag's long name (`--max-frame-bytes`), the config file's key
/// (`max-frame-bytes:`) and, upper-cased with `_`, the environment variable
/// (`ROOST_MAX_FRAME_BYTES`). Help, `roost config`, validation and the
/// reference in the docs all come from the row.
public struct Setting: Sendable {
    public let key: String
    public let help: String
    /// Printed as `***` by `roost config`, never quoted in an error.
    public let isSecret: Bool
    /// What a valid value looks like ("an integer ≥ 1"), for errors and the reference.
    public let expected: String
    /// Shown when the value is unset (optional settings), e.g. "generated in the data directory".
    public let unsetText: String

    /// What reading a setting found.
    enum Outcome {
        /// No provider has the key: the default was written.
        case absent
        /// A value was written.
        case set
        /// A provider has a value the setting does not take (shown as `text`).
        case invalid(text: String)
    }

    /// Reads the value from the providers and writes it, or the default, into the settings.
    /// Every setting is written, the default too, so a computed field (`web-root`) resolves its default.
    let resolve: @Sendable (ConfigReader, inout ServerSettings) -> Outcome
    /// The current value as `roost config` prints it; nil when unset.
    let show: @Sendable (ServerSettings) -> String?

    /// The environment variable of the setting.
    public var environmentName: String {
        ConfigurationResolver.environmentPrefix + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The default as help and the reference show it.
    public var defaultText: String { show(ServerSettings()) ?? unsetText }

    /// A row: `parse` turns what the providers hold (`Raw`) into the field, nil
    /// when the value is out of range; `format` prints the field.
    static func make<Raw: SettingRaw, Field>(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, Field> & Sendable, expected: String,
        secret: Bool = false, unset: String = "none", help: String,
        parse: @escaping @Sendable (Raw) -> Field?, format: @escaping @Sendable (Field) -> String?
    ) -> Setting {
        Setting(
            key: key, help: help, isSecret: secret, expected: expected, unsetText: unset,
            resolve: { reader, settings in
                guard let raw = Raw.read(reader, key: key, isSecret: secret) else {
                    settings[keyPath: path] = settings[keyPath: path]
                    return .absent
                }
                guard let field = parse(raw) else { return .invalid(text: raw.text) }
                settings[keyPath: path] = field
                return .set
            },
            show: { format($0[keyPath: path]) })
    }

    /// `5` rather than `5.0`; `0.5` stays.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
