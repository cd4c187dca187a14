/// The outcome of `ConfigurationResolver.resolve`: the settings `roost serve`
/// runs with, and for each key where its value came from.
public struct EffectiveConfiguration: Sendable {
    public let settings: ServerSettings
    /// By setting key.
    public let sources: [String: SettingSource]
    /// The config file read, if any, as given.
    public let file: String?
    /// `ROOST_*` variables that name no setting: warned about, not fatal,
    /// because harnesses put their own `ROOST_*` variables in the same environment.
    public let ignoredEnvironment: [String]

    /// One row of `roost config`.
    public struct Entry: Sendable, Equatable {
        public let key: String
        /// As printed: `***` for a secret that is set.
        public let value: String
        public let source: SettingSource
    }

    /// Every setting in table order, secrets masked.
    public var entries: [Entry] {
        ServerSettings.table.map { setting in
            let shown = setting.show(settings)
            let value = shown == nil ? "(\(setting.unsetText))" : setting.isSecret ? "***" : shown!
            return Entry(key: setting.key, value: value, source: sources[setting.key] ?? .defaultValue)
        }
    }

    /// `key = value  (source)` per line, aligned, after a comment naming the file
    /// and the ignored environment variables.
    public var rendered: String {
        var lines = ["# config file: \(file ?? "none")"]
        if !ignoredEnvironment.isEmpty {
            lines.append("# ignored (not settings): " + ignoredEnvironment.joined(separator: ", "))
        }
        let rows = entries
        let width = rows.map { $0.key.count }.max() ?? 0
        let valueWidth = min(rows.map { $0.value.count }.max() ?? 0, 24)
        for row in rows {
            let key = row.key.padding(toLength: width, withPad: " ", startingAt: 0)
            let value = row.value.count < valueWidth ? row.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0) : row.value
            lines.append("\(key) = \(value)  (\(row.source))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
