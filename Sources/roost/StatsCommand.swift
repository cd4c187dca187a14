import ArgumentParser
import Foundation
import RoostStorage

/// `roost stats`: what the database holds (the running server's live figures are at `/stats`).
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Print database statistics.")
    @OptionGroup var options: DataOptions

    func run() async throws {
        let store = try options.openStore()
        let stats = try await store.stats()
        let epoch = store.epoch
        try await store.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: options.databasePath)[.size] as? Int) ?? 0
        print("users\t\(stats.users)")
        print("messages\t\(stats.messages)")
        print("database_bytes\t\(size)")
        print("epoch\t\(epoch)")
    }
}
