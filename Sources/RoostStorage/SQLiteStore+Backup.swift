import Foundation
import GRDB

/// Online backup and restore of the SQLite file.
extension SQLiteStore {
    public enum BackupError: Error, CustomStringConvertible {
        case destinationExists(String)
        case integrityCheckFailed(String)
        case notADatabase(String)

        public var description: String {
            switch self {
            case .destinationExists(let path): "\(path) already exists; remove it or choose another file"
            case .integrityCheckFailed(let result): "integrity check failed: \(result)"
            case .notADatabase(let path): "\(path) is not a Roost database"
            }
        }
    }

    /// Copies the database to `path` while it is in use. The copy is one read
    /// transaction's snapshot (SQLite backup API from a pool reader), so it
    /// holds every write committed (every message acked) before it began, and
    /// writers are never blocked.
    public func backup(to path: String) async throws {
        try Self.backup(from: pool, to: path)
    }

    /// `roost backup` from another process than the server: WAL mode lets a
    /// second process read a consistent snapshot while the server writes.
    public static func backup(databaseAt source: String, to path: String) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let pool = try DatabasePool(path: source, configuration: config)
        defer { try? pool.close() }
        try backup(from: pool, to: path)
    }

    private static func backup(from pool: DatabasePool, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.destinationExists(path) }
        let destination = try DatabaseQueue(path: path)
        try pool.backup(to: destination)
        // A self-contained single file: no -wal beside it to forget.
        try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try destination.close()
    }

    /// `PRAGMA integrity_check` of the file at `path`; throws unless "ok".
    public static func checkIntegrity(of path: String) throws {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        let result = try queue.read { db -> String in
            guard try db.tableExists("meta"), try db.tableExists("users") else { throw BackupError.notADatabase(path) }
            return try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
        guard result == "ok" else { throw BackupError.integrityCheckFailed(result) }
    }

    /// Replaces `database` with the backup at `backupPath`; the caller holds the
    /// data directory lock. The backup is checked first, the old file is kept
    /// as `roost.sqlite.pre-restore`, and the restored database gets a new
    /// epoch so clients drop their cursors and resync (PROTOCOL.md section 4).
    /// Returns the new epoch.
    @discardableResult
    public static func restore(backupAt backupPath: String, into database: String) throws -> String {
        try checkIntegrity(of: backupPath)
        let fm = FileManager.default
        let staging = database + ".restoring"
        try? fm.removeItem(atPath: staging)
        try fm.copyItem(atPath: backupPath, toPath: staging)
        let epoch = newEpoch()
        let queue = try DatabaseQueue(path: staging)
        try queue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('epoch', ?)", arguments: [epoch])
        }
        try queue.close()
        if fm.fileExists(atPath: database) {
            let previous = database + ".pre-restore"
            try? fm.removeItem(atPath: previous)
            try fm.moveItem(atPath: database, toPath: previous)
            for suffix in ["-wal", "-shm"] {
                try? fm.removeItem(atPath: previous + suffix)
                try? fm.moveItem(atPath: database + suffix, toPath: previous + suffix)
            }
        }
        try fm.moveItem(atPath: staging, toPath: database)
        return epoch
    }
}
