import Configuration

/// The types the providers are asked for. A setting reads one of them and
/// turns it into its field (seconds into a `Duration`, text into a rate).
public protocol SettingRaw: Sendable {
    /// The value of `key`, nil when no provider has it or one fails (the
    /// access reporter sees which).
    static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> Self?
    /// As the in-memory flags provider holds it.
    var content: ConfigContent { get }
    /// As an error message quotes it.
    var text: String { get }
}

extension Int: SettingRaw {
    public static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> Int? {
        reader.int(forKey: ConfigKey(key), isSecret: isSecret)
    }
    public var content: ConfigContent { .int(self) }
    public var text: String { String(self) }
}

extension Double: SettingRaw {
    public static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> Double? {
        reader.double(forKey: ConfigKey(key), isSecret: isSecret)
    }
    public var content: ConfigContent { .double(self) }
    public var text: String { Setting.number(self) }
}

extension Bool: SettingRaw {
    public static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> Bool? {
        reader.bool(forKey: ConfigKey(key), isSecret: isSecret)
    }
    public var content: ConfigContent { .bool(self) }
    public var text: String { String(self) }
}

extension String: SettingRaw {
    public static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> String? {
        reader.string(forKey: ConfigKey(key), isSecret: isSecret)
    }
    public var content: ConfigContent { .string(self) }
    public var text: String { self }
}

extension Array: SettingRaw where Element == String {
    /// A YAML scalar where a list is expected (`allow-origin: https://a.example`) is a list of one:
    /// the failed array lookup is followed by a string lookup, whose event the resolver then sees.
    public static func read(_ reader: ConfigReader, key: String, isSecret: Bool) -> [String]? {
        reader.stringArray(forKey: ConfigKey(key), isSecret: isSecret)
            ?? reader.string(forKey: ConfigKey(key), isSecret: isSecret).map { [$0] }
    }
    public var content: ConfigContent { .stringArray(self) }
    public var text: String { joined(separator: ",") }
}
