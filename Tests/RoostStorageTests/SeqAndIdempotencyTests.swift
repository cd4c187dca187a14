import Foundation
import RoostProtocol
import RoostStorage
import Testing

/// The storage contract every backend keeps: gap-free per-user seqs under
/// concurrency, idempotent sends, failures that leave no trace, durability of
/// what was acknowledged.
@Suite("Storage: seqs and idempotency")
struct SeqAndIdempotencyTests {
    @Test(arguments: Backend.available)
    func fiftyConcurrentSendersGiveGapFreeSeqs(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(51)
        let receiver = ids[0]
        let senders = Array(ids.dropFirst())
        let outcomes = try await withThrowingTaskGroup(of: SendOutcome.self) { group in
            for (i, sender) in senders.enumerated() {
                for j in 0..<4 {
                    group.addTask {
                        try await store.sendDirect(DirectSend(from: sender, device: "d", clientID: "c\(i)-\(j)", to: receiver,
                                                              content: MessageContent(text: "hello")))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 200)
        let receiverSeqs = outcomes.flatMap(\.deliveries).filter { $0.user == receiver }.map(\.item.seq).sorted()
        #expect(receiverSeqs == Array(1...200))
        #expect(try await store.head(of: receiver) == 200)
        let items = try await store.items(user: receiver, after: 0, limit: 1000)
        #expect(items.map(\.seq) == Array(1...200))
        // Each sender's own copies are gap-free in the sender's inbox too.
        for sender in senders {
            #expect(try await store.items(user: sender, after: 0, limit: 10).map(\.seq) == [1, 2, 3, 4])
        }
        // The same relative order in every inbox: message ids ascend with seq.
        let messageIDs = items.compactMap { $0.messageID }.map { UInt64($0)! }
        #expect(messageIDs == messageIDs.sorted())
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func repeatedRequestIDIsIdempotent(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
        let send = DirectSend(from: ids[0], device: "phone", clientID: "abc", to: ids[1], content: MessageContent(text: "hi"))
        let first = try await store.sendDirect(send)
        let second = try await store.sendDirect(send)
        #expect(!first.duplicate && second.duplicate)
        #expect(first.result == second.result)
        #expect(second.deliveries.isEmpty)
        #expect(try await store.head(of: ids[1]) == 1)
        let otherDevice = try await store.sendDirect(DirectSend(from: ids[0], device: "tablet", clientID: "abc", to: ids[1],
                                                                content: MessageContent(text: "hi")))
        #expect(!otherDevice.duplicate)
        #expect(try await store.head(of: ids[1]) == 2)
        try await test.close()
    }

    /// The completion form of a send: the same commit and idempotency as the
    /// async one, answered on the caller's queue (PostgreSQL through the
    /// protocol's default, `CompletionQueue.complete`).
    @Test(arguments: Backend.available)
    func theCompletionFormCommitsOnceAndAnswersOnItsQueue(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
        let queue = StorageThreadsTests.RecordingQueue()
        let send = DirectSend(from: ids[0], device: "phone", clientID: "cb", to: ids[1], content: MessageContent(text: "hi"))
        func submit() async -> (result: Result<SendOutcome, any Error>, onQueue: Bool) {
            await withCheckedContinuation { answer in
                store.sendDirect(send, on: queue) { answer.resume(returning: ($0, queue.isCurrent)) }
            }
        }
        let first = await submit()
        let second = await submit()
        #expect(first.onQueue && second.onQueue)
        let firstOutcome = try first.result.get()
        let secondOutcome = try second.result.get()
        #expect(!firstOutcome.duplicate && secondOutcome.duplicate)
        #expect(firstOutcome.result == secondOutcome.result)
        #expect(try await store.head(of: ids[1]) == 1)
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func concurrentRetriesOfOneRequestCommitOnce(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
        let send = DirectSend(from: ids[0], device: "phone", clientID: "same", to: ids[1], content: MessageContent(text: "hi"))
        let outcomes = try await withThrowingTaskGroup(of: SendOutcome.self) { group in
            for _ in 0..<8 { group.addTask { try await store.sendDirect(send) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0.duplicate }.count == 1)
        #expect(Set(outcomes.map(\.result.messageID)).count == 1)
        #expect(try await store.head(of: ids[1]) == 1)
        #expect(try await test.count("messages") == 1)
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func failedOperationDoesNotDisturbOthers(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
        let good = Task {
            try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "1", to: ids[1],
                                                  content: MessageContent(text: "ok")))
        }
        let bad = Task {
            try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "2", to: 999_999,
                                                  content: MessageContent(text: "nobody")))
        }
        #expect(try await good.value.result.seq == 1)
        await #expect(throws: RoostError.self) { try await bad.value }
        #expect(try await store.head(of: ids[0]) == 1, "the failed send allocated no seq")
        #expect(try await test.count("messages") == 1)
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func committedDataAndCursorsSurviveReopening(_ backend: Backend) async throws {
        let test = try await backend.open()
        let ids = try await test.users(2)
        let sent = try await test.store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "1", to: ids[1],
                                                              content: MessageContent(text: "keep me")))
        test.store.setCursor(user: ids[1], device: "phone", to: 1)
        #expect(try await test.store.cursor(user: ids[1], device: "phone") == 1, "a pending move is visible at once")
        let epoch = test.store.epoch

        let reopened = try await test.reopened()
        let store = reopened.store
        #expect(store.epoch == epoch)
        #expect(try await store.cursor(user: ids[1], device: "phone") == 1)
        let items = try await store.items(user: ids[1], after: 0, limit: 10)
        #expect(items.map(\.messageID) == [sent.result.messageID])
        let next = try await store.sendDirect(DirectSend(from: ids[0], device: "d", clientID: "2", to: ids[1],
                                                         content: MessageContent(text: "later")))
        #expect(UInt64(next.result.messageID)! > UInt64(sent.result.messageID)!)
        #expect(next.result.seq == 2)
        try await reopened.close()
    }

    @Test(arguments: Backend.available)
    func usernamesAreUniqueAndTokensRevocable(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let alice = try await store.createUser(username: "alice", passwordHash: "h1", isAdmin: true)
        await #expect(throws: RoostError.self) {
            _ = try await store.createUser(username: "alice", passwordHash: "h2", isAdmin: false)
        }
        #expect(try await store.user(named: "alice") == alice)
        #expect(try await store.user(id: alice.id)?.isAdmin == true)
        #expect(try await store.user(named: "nobody") == nil)
        #expect(try await store.userCount() == 1)
        let revoked = try await store.revokeTokens(user: alice.id, newPasswordHash: "h3")
        #expect(revoked?.tokenVersion == 1 && revoked?.passwordHash == "h3")
        let banned = try await store.setBanned(user: alice.id, banned: true)
        #expect(banned?.banned == true && banned?.tokenVersion == 2)
        #expect(try await store.setBanned(user: alice.id, banned: false)?.banned == false)
        #expect(try await store.setBanned(user: 999_999, banned: true) == nil)
        let stats = try await store.stats()
        #expect(stats.users == 1 && stats.messages == 0)
        try await test.close()
    }
}
