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

extension PostgresNodesTests {
    @Test(.enabled(if: Backend.postgresURL != nil, "needs ROOST_TEST_POSTGRES_URL"))
    func deviceClaimsCountEveryNodeAndTellTheFormerHolder() async throws {
        let first = try await Backend.postgres.open()
        let nodeA = try #require(first.store as? PostgresStore)
        let nodeB = try await PostgresStore.open(url: first.location, logger: Backend.logger)
        let user = try await first.users(1)[0]
        // Both nodes beat, so each counts the other's devices as live.
        try await nodeA.updateConnectedUsers(added: [], removed: [])
        try await nodeB.updateConnectedUsers(added: [], removed: [])
        let notices = Notices()
        let listener = Task { try await nodeA.listen { await notices.add($0) } }
        #expect(try await nodeA.claimDevice(user: user, device: "phone", maxDevices: 2, expiry: 30_000))
        #expect(try await nodeB.claimDevice(user: user, device: "tablet", maxDevices: 2, expiry: 30_000))
        #expect(try await !nodeB.claimDevice(user: user, device: "laptop", maxDevices: 2, expiry: 30_000),
                "a third device is refused whichever node it comes through")
        #expect(try await nodeA.onlineElsewhere([user], expiry: 30_000) == [user])
        // LISTEN takes effect once the listener's connection ran it: claim again until heard.
        for _ in 0..<50 where await notices.all.isEmpty {
            #expect(try await nodeB.claimDevice(user: user, device: "phone", maxDevices: 2, expiry: 30_000),
                    "the same device again is a replacement, not a third")
            try await Task.sleep(for: .milliseconds(100))
            _ = try await nodeA.claimDevice(user: user, device: "phone", maxDevices: 2, expiry: 30_000)
        }
        #expect(await notices.all.first == .replaced(user: user, device: "phone"))
        // The holder forgets its devices: no longer online there.
        try await nodeB.forgetDevices(of: user, keeping: [])
        #expect(try await nodeA.onlineElsewhere([user], expiry: 30_000) == [])
        listener.cancel()
        try await nodeB.close()
        try await first.close()
    }

    @Test(.enabled(if: Backend.postgresURL != nil, "needs ROOST_TEST_POSTGRES_URL"))
    func aNodeThatStopsBeatingLosesItsRecords() async throws {
        let first = try await Backend.postgres.open()
        let nodeA = try #require(first.store as? PostgresStore)
        let nodeB = try await PostgresStore.open(url: first.location, logger: Backend.logger)
        let users = try await first.users(2)
        try await nodeB.updateConnectedUsers(added: [users[1]], removed: [])
        #expect(try await nodeB.claimDevice(user: users[1], device: "d", maxDevices: 5, expiry: 30_000))
        #expect(try await nodeA.onlineElsewhere([users[1]], expiry: 30_000) == [users[1]])
        // Node B stops beating: with an expiry of 0 ms node A takes it for dead at once.
        let beat = try await nodeA.updateConnectedUsers(added: [users[0]], removed: [], expiry: 0)
        #expect(beat.lostUsers == [users[1]] && beat.revived)
        #expect(try await nodeA.onlineElsewhere([users[1]], expiry: 30_000) == [])
        // Node B comes back: its next beat finds its row gone (it must write its records again).
        #expect(try await nodeB.updateConnectedUsers(added: [], removed: []).revived)
        #expect(try await !nodeB.updateConnectedUsers(added: [], removed: []).revived)
        try await nodeB.close()
        try await first.close()
    }

    @Test func noticesParseAndIgnoreWhatTheyDoNotKnow() {
        #expect(ClusterNotice(payload: "5:7,6:3,5:9") == .heads([5: 9, 6: 3]))
        #expect(ClusterNotice(payload: "p|5|1|7,8") == .presence(user: 5, online: true, viewers: [7, 8]))
        #expect(ClusterNotice(payload: "p|5|0|7") == .presence(user: 5, online: false, viewers: [7]))
        #expect(ClusterNotice(payload: "t|5|g:12|7") == .typing(user: 5, conversation: "g:12", viewers: [7]))
        #expect(ClusterNotice(payload: "r|5|phone.2") == .replaced(user: 5, device: "phone.2"))
        for bad in ["", "x|1|2", "p|5|2|7", "p|x|1|7", "r|5|", "t|5||7", "garbage", "q|1|2|3"] {
            #expect(ClusterNotice(payload: bad) == nil, "\(bad)")
        }
        #expect(ClusterNotice.presence(user: 5, online: true, viewers: [7]).viewerPrefix == "p|5|1|")
        #expect(ClusterNotice.typing(user: 5, conversation: "u:5", viewers: [7]).viewerPrefix == "t|5|u:5|")
    }
}

private actor Notices {
    var all: [ClusterNotice] = []
    func add(_ notice: ClusterNotice) { all.append(notice) }
}

private actor Heard {
    var all: [[Int64: Int64]] = []
    func add(_ heads: [Int64: Int64]) { all.append(heads) }
}
