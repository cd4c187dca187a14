import ArgumentParser
import RoostStorage

/// `roost migrate --check`: tells whether starting this binary will migrate the
/// database (exit 1 if so), e.g. to take a backup before an upgrade.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Run or check schema migrations (they also run at every start).")
    @OptionGroup var options: DataOptions
    @Flag(help: "Only report pending migrations; exit 1 if there are any.") var check = false

    func run() async throws {
        if check {
            let pending = try SQLiteStore.pendingMigrations(at: options.databasePath)
            guard pending.isEmpty else {
                print("pending migrations: \(pending.joined(separator: ", "))")
                throw ExitCode(1)
            }
            print("schema is up to date")
            return
        }
        try await options.openStore().close()
        print("schema is up to date")
    }
}
