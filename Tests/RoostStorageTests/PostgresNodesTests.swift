import Foundation
@testable import RoostPostgres
import RoostProtocol
import RoostStorage
import Testing

/// Two `PostgresStore`s on one database, as two nodes behind a load balancer:
/// seqs stay gap-free when both write for the same users, each node mints ids
/// under its own node number, and an account change made on one is readable on the other.
@Suite("PostgreSQL: two nodes on one database")
struct PostgresNodesTests {
    @Test(.enabled(if: Backend.postgresURL != nil, "needs ROOST_TEST_POSTGRES_URL"))
    func twoNodesShareGapFreeSeqs() async throws {
        let first = try await Backend.postgres.open()
        let second = try await PostgresStore.open(url: first.location, logger: Backend.logger)
        let nodeA = try #require(first.store as? PostgresStore)
        #expect(nodeA.node != second.node, "each node claims its own Snowflake node id")
        let ids = try await first.users(3)
        let (receiver, x, y) = (ids[0], ids[1], ids[2])
        let outcomes = try await withThrowingTaskGroup(of: SendOutcome.self) { group in
            for i in 0..<40 {
                let store: any RoostStore = i % 2 == 0 ? nodeA : second
                let sender = i % 3 == 0 ? x : y
                group.addTask {
                    try await store.sendDirect(DirectSend(from: sender, device: "d", clientID: "c\(i)", to: receiver,
                                                          content: MessageContent(text: "n\(i)")))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outcomes.map(\.result.messageID)).count == 40)
        let items = try await second.items(user: receiver, after: 0, limit: 100)
        #expect(items.map(\.seq) == Array(1...40))
        #expect(try await nodeA.head(of: receiver) == 40)

        let before = try await second.lastAccountEventID()
        _ = try await nodeA.setBanned(user: x, banned: true)
        let events = try await second.accountEvents(after: before, limit: 10)
        #expect(events.map(\.kind) == [.banned] && events.first?.user == x)
        try await second.close()
        try await first.close()
    }
}
