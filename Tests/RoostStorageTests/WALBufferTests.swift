import Foundation
import GRDB
import RoostWALBuffer
import Testing

/// The WAL write buffer (RoostWALBuffer) changes how frames reach the WAL
/// file, never what other connections see: each commit is in the file before
/// SQLite publishes it (also without fsync), and a transaction larger than
/// the buffer is written whole.
@Suite("SQLite WAL write buffer")
struct WALBufferTests {
    static func pool(synchronous: String) throws -> DatabasePool {
        #expect(roost_wal_buffer_register(0x1ffff) == 0)
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roost-wal-\(UUID().uuidString).sqlite").path
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)") }
        return pool
    }

    static func counts() -> (gathered: Int64, written: Int64) {
        var gathered: Int64 = 0, written: Int64 = 0
        roost_wal_buffer_counts(&gathered, &written)
        return (gathered, written)
    }

    @Test(arguments: ["FULL", "NORMAL", "OFF"])
    func everyCommitIsVisibleToOtherConnectionsAtOnce(synchronous: String) async throws {
        let pool = try Self.pool(synchronous: synchronous)
        for i in 1...200 {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO t (id, v) VALUES (?, zeroblob(3000))", arguments: [i])
            }
            let seen = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(id) FROM t") }
            #expect(seen == i)
        }
        try pool.close()
    }

    @Test func aTransactionLargerThanTheBufferIsWrittenWholeInFewWrites() async throws {
        let pool = try Self.pool(synchronous: "NORMAL")
        let before = Self.counts()
        // ~2 MiB of pages in one transaction: sixteen buffers' worth.
        try await pool.write { db in
            for i in 1...500 {
                try db.execute(sql: "INSERT INTO t (id, v) VALUES (?, randomblob(4000))", arguments: [i])
            }
        }
        let after = Self.counts()
        let pages = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") }
        #expect(pages == 500)
        let fresh = try DatabaseQueue(path: pool.path)
        let total = try await fresh.read { db in try Int.fetchOne(db, sql: "SELECT SUM(length(v)) FROM t") }
        #expect(total == 500 * 4000)
        try fresh.close()
        // Without the buffer: two writes per frame, over 1,000. Other tests may
        // write beside this one, so the bound is loose but far below that.
        let gathered = after.gathered - before.gathered, written = after.written - before.written
        #expect(gathered >= 1_000)
        #expect(written < gathered / 4, "\(written) writes for \(gathered) frame parts")
        try pool.close()
    }
}
