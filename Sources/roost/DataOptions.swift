import ArgumentParser
import Foundation
import Logging
import RoostStorage

/// `--data DIR` for the commands that work on a data directory directly
/// (with or without a server running on it: SQLite in WAL mode serialises the
/// writes of both processes).
struct DataOptions: ParsableArguments {
    @Option(help: "Data directory (holds roost.sqlite).") var data = "./data"

    var databasePath: String { URL(fileURLWithPath: data).appendingPathComponent("roost.sqlite").path }

    /// Opens the existing database; a missing one is an error, not a new empty server.
    func openStore() throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CLIError("no database at \(databasePath) (wrong --data?)")
        }
        var logger = Logger(label: "roost.cli")
        logger.logLevel = .error
        return try SQLiteStore(path: databasePath, logger: logger)
    }
}

/// A command-line failure: printed as `Error: <message>`, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// A password from `--password` or, without it, the first line of stdin
/// (so it stays out of `ps` and shell history: `roost user add bob < pw.txt`).
func readPassword(option: String?) throws -> String {
    if let option { return option }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CLIError("no password: pass --password or write it on stdin")
    }
    return line
}
