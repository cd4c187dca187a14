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

    @Test(.enabled(if: Backend.postgresURL != nil, "needs ROOST_TEST_POSTGRES_URL"))
    func headsAreNotifiedToTheNodeHoldingTheUserOnly() async throws {
        let first = try await Backend.postgres.open()
        let nodeA = try #require(first.store as? PostgresStore)
        let nodeB = try await PostgresStore.open(url: first.location, logger: Backend.logger)
        let ids = try await first.users(2)
        try await nodeB.updateConnectedUsers(added: [ids[0]], removed: [])
        let heard = Heard()
        let listener = Task { try await nodeB.listenForHeads { await heard.add($0) } }
        // LISTEN takes effect once the listener's connection ran it: publish until heard.
        for _ in 0..<50 where await heard.all.isEmpty {
            try await nodeA.publishHeads([ids[0]: 7, ids[1]: 3])
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await heard.all.first == [ids[0]: 7], "only the user node B holds, with its head")
        #expect(try await nodeA.heads(of: ids) == [ids[0]: 0, ids[1]: 0])
        listener.cancel()
        try await nodeB.close()
        try await first.close()
    }
}

private actor Heard {
    var all: [[Int64: Int64]] = []
    func add(_ heads: [Int64: Int64]) { all.append(heads) }
}
