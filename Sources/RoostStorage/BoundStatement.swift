import GRDB
import GRDBSQLite

/// A cached statement driven through SQLite's C API: values are bound
/// straight (no `StatementArguments` array, no `DatabaseValue` per value)
/// and columns read straight (no `Row`). The ten statements of every message
/// go through here: GRDB's generic argument path was a measurable share of
/// the write path's CPU (docs/benchmarks.md, `roost bench store`).
///
/// Only for plain inserts, updates and primary-key reads inside the writer's
/// transaction: GRDB does not see these executions (no observation, no
/// schema change), which nothing in Roost needs.
struct BoundStatement {
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection

    init(_ db: Database, _ sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        connection = db.sqliteConnection!
        sqlite3_reset(handle)
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    /// Runs the statement to its end (an insert, an update).
    func execute() throws {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(code) }
    }

    /// Reads the first row with `read` (columns by index), nil when there is none.
    func first<T>(_ read: (_ column: (Int32) -> Int64) -> T) throws -> T? {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        switch code {
        case SQLITE_ROW: return read { sqlite3_column_int64(handle, $0) }
        case SQLITE_DONE: return nil
        default: throw error(code)
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)),
                      sql: String(cString: sqlite3_sql(handle)))
    }
}

/// SQLite copies a text value bound with this destructor (the Swift string's
/// bytes do not outlive the bind call).
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
