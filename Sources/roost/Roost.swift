import ArgumentParser

/// `roost`: the server and its tools in one binary.
@main
struct Roost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost",
        abstract: "A self-hosted instant-messaging server: one binary, one SQLite file.",
        subcommands: [
            ServeCommand.self, ConfigCommand.self, ChatCommand.self, UserCommand.self, GroupCommand.self, StatsCommand.self,
            BackupCommand.self, RestoreCommand.self, MigrateCommand.self, BenchCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
