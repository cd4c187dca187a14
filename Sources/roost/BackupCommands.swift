import ArgumentParser
import Foundation
import RoostStorage

/// `roost backup --data DIR OUT.sqlite`: a consistent copy while the server runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Write a consistent copy of the database (safe while the server runs).")
    @OptionGroup var options: DataOptions
    @Argument(help: "The backup file to create.") var output: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: options.databasePath) else {
            throw CLIError("no database at \(options.databasePath) (wrong --data?)")
        }
        try SQLiteStore.backup(databaseAt: options.databasePath, to: output)
        try SQLiteStore.checkIntegrity(of: output)
        print("backup written to \(output)")
    }
}

/// `roost restore --data DIR BACKUP.sqlite`: only with the server stopped.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the database with a backup (the server must be stopped).",
        discussion: "The old database is kept as roost.sqlite.pre-restore. The restored one gets a new epoch, so clients resync.")
    @OptionGroup var options: DataOptions
    @Argument(help: "The backup file.") var backup: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: backup) else { throw CLIError("no file \(backup)") }
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
        let lock = try DataDirectoryLock(directory: options.data)
        let epoch = try SQLiteStore.restore(backupAt: backup, into: options.databasePath)
        withExtendedLifetime(lock) {}
        print("restored \(backup) into \(options.databasePath) (new epoch \(epoch))")
    }
}
