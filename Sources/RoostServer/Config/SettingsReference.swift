/// The reference of every setting as a Markdown table, printed by
/// `roost config --reference` and kept in docs/configuration.md (a test checks
/// that the page lists every key).
public enum SettingsReference {
    public static var markdown: String {
        var lines = [
            "| key (flag `--key`, file `key:`) | environment | default | takes | what |",
            "|---|---|---|---|---|",
        ]
        for setting in ServerSettings.table {
            let secret = setting.isSecret ? " Secret: printed as `***`." : ""
            lines.append("| `\(setting.key)` | `\(setting.environmentName)` | \(cell(setting.defaultText)) | "
                + "\(setting.expected) | \(setting.help.replacingOccurrences(of: "|", with: "\\|"))\(secret) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String {
        text.contains(" ") ? text : "`\(text)`"
    }
}
