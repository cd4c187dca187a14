import Foundation
import GRDB
@testable import RoostStorage
import Testing

/// Storage settings reach the SQLite store the server opens.
@Suite("Storage settings")
struct StorageSettingsTests {
    @Test func readersSetsTheReaderPool() async throws {
        try await LiveServer.run(configure: { $0.readers = 3 }) { server in
            let store = try #require(server.services.store as? SQLiteStore)
            #expect(store.pool.configuration.maximumReaderCount == 3)
        }
        try await LiveServer.run { server in
            let store = try #require(server.services.store as? SQLiteStore)
            #expect(store.pool.configuration.maximumReaderCount == 12, "the default")
        }
    }
}
