import ArgumentParser
import RoostServer

/// `roost config`: what `roost serve` with the same flags, environment and
/// config file would run with, one `key = value  (source)` line per setting,
/// secrets as `***`. Refuses what `roost serve` refuses, with the same message.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration of `roost serve` (secrets masked).")

    @Flag(help: "Print the reference of every setting (Markdown: key, environment variable, default, help) instead.")
    var reference = false

    @OptionGroup var flags: ServerFlags

    func run() async throws {
        if reference {
            print(SettingsReference.markdown, terminator: "")
            return
        }
        print(try await flags.resolve().rendered, terminator: "")
    }
}
