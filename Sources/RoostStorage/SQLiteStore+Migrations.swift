import GRDB

extension SQLiteStore {
    /// Names of the migrations the database at `path` has not run yet
    /// (`roost migrate --check`); they run when `roost serve` next starts.
    public static func pendingMigrations(at path: String) throws -> [String] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read { db in
            let applied = try Schema.migrator.appliedIdentifiers(db)
            return Schema.migrator.migrations.filter { !applied.contains($0) }
        }
    }
}
