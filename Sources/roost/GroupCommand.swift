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
            let groups = try await store.groupSummaries()
            try await store.close()
            print("group_id\tname\towner_id\topen\tmembers")
            for group in groups {
                print("\(group.id)\t\(group.name)\t\(group.owner)\t\(group.open)\t\(group.members)")
            }
        }
    }
}
