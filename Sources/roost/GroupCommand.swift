import ArgumentParser
import RoostStorage

/// `roost group list`.
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Inspect groups.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups.")
        @OptionGroup var options: DataOptions

        func run() async throws {
            let store = try options.openStore()
            // TODO(groups): print named columns and member counts through GroupStore once the
            // groups branch is merged; until then the `groups` table is printed as it is, if any.
            let table = try await store.dumpTable("groups")
            try await store.close()
            guard let table else {
                print("this database has no groups table")
                return
            }
            print(table.columns.joined(separator: "\t"))
            for row in table.rows { print(row.joined(separator: "\t")) }
        }
    }
}
