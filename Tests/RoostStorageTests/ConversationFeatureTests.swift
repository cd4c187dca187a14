import Foundation
import RoostProtocol
import RoostStorage
import Testing

/// Groups, friends, history, reads, recall, edits, reactions, search, blocks
/// and files: the same answers and the same items from every backend.
@Suite("Storage: conversations and features")
struct ConversationFeatureTests {
    static func send(_ store: any RoostStore, _ from: Int64, _ to: Int64, _ text: String, id: String = UUID().uuidString,
                     mentions: [String]? = nil, replyTo: String? = nil) async throws -> SendOutcome {
        try await store.sendDirect(DirectSend(from: from, device: "d", clientID: id, to: to,
                                              content: MessageContent(text: text, replyTo: replyTo, mentions: mentions)))
    }

    @Test(arguments: Backend.available)
    func groupMembershipChanges(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(4)
        let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3])
        await #expect(throws: RoostError.self) {
            _ = try await store.createGroup(owner: a, name: "g", members: [999_999], open: false, cap: 10)
        }
        await #expect(throws: RoostError.self) {
            _ = try await store.createGroup(owner: a, name: "g", members: [b, c], open: false, cap: 2)
        }
        let created = try await store.createGroup(owner: a, name: "g", members: [b, b], open: false, cap: 3)
        let group = created.group.id
        #expect(created.group.members == [a, b] && created.group.version == 1)

        // Closed group: an outsider cannot join; a member adds, up to the cap.
        await #expect(throws: RoostError.self) { _ = try await store.addMembers(group: group, users: [c], actor: c, cap: 3) }
        await #expect(throws: RoostError.self) { _ = try await store.addMembers(group: group, users: [c, d], actor: b, cap: 3) }
        let added = try await store.addMembers(group: group, users: [c], actor: b, cap: 3)
        #expect(added.group.members == [a, b, c] && added.group.version == 2)
        #expect(added.deliveries.map(\.user).sorted() == [a, b, c])

        // Owner-only changes; a rename tells everyone, the open flag alone tells no one.
        await #expect(throws: RoostError.self) { _ = try await store.updateGroup(group: group, actor: b, name: "x", open: nil) }
        let renamed = try await store.updateGroup(group: group, actor: a, name: "renamed", open: true)
        #expect(renamed.group.name == "renamed" && renamed.group.open && renamed.deliveries.count == 3)
        let joined = try await store.updateGroup(group: group, actor: a, name: nil, open: true)
        #expect(joined.deliveries.isEmpty, "nothing changed")

        // Removal by the owner only; the owner leaving hands the group to the longest-standing member.
        await #expect(throws: RoostError.self) { _ = try await store.removeMember(group: group, user: c, actor: b) }
        let left = try await store.removeMember(group: group, user: a, actor: a)
        #expect(left.group.owner == b && left.group.members == [b, c])
        #expect(left.deliveries.map(\.user).sorted() == [a, b, c], "the leaver hears of it too")
        #expect(try await store.groups(of: a).isEmpty)
        #expect(try await store.groups(of: c).map(\.id) == [group])
        _ = try await store.removeMember(group: group, user: c, actor: b)
        let last = try await store.removeMember(group: group, user: b, actor: b)
        #expect(last.group.deleted)
        #expect(try await store.group(id: group) == nil)

        // Inbox items are the group events in order, gap-free.
        let items = try await store.items(user: b, after: 0, limit: 100)
        #expect(items.map(\.seq) == Array(1...Int64(items.count)))
        #expect(items.allSatisfy { $0.body.type == "group_event" })
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func friendsAndContacts(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        await #expect(throws: RoostError.self) { _ = try await store.requestFriend(from: a, to: a) }
        await #expect(throws: RoostError.self) { _ = try await store.requestFriend(from: a, to: 999_999) }
        #expect(try await store.requestFriend(from: a, to: b).state == "requested")
        #expect(try await store.requestFriend(from: a, to: b).deliveries.isEmpty, "repeating changes nothing")
        #expect(try await store.friendLists(of: b) == FriendLists(friends: [], incoming: [a], outgoing: []))
        let accepted = try await store.requestFriend(from: b, to: a)
        #expect(accepted.state == "friends" && accepted.deliveries.count == 2)
        #expect(try await store.friendLists(of: a) == FriendLists(friends: [b], incoming: [], outgoing: []))
        _ = try await Self.send(store, c, a, "hello")
        #expect(try await store.contacts(of: a).sorted() == [b, c])
        // A session start reads in one go what the single reads return.
        store.setCursor(user: a, device: "d", to: 1)
        let start = try await store.sessionStart(user: a, device: "d")
        #expect(start.contacts.sorted() == [b, c])
        #expect(start.tokenVersion == (try await store.user(id: a)?.tokenVersion))
        #expect(start.head == (try await store.head(of: a)) && start.head > 0)
        #expect(start.cursor == 1, "a cursor move not yet written counts")
        try await store.block(user: a, target: c)
        #expect(try await store.contacts(of: a) == [b], "no presence across a block")
        #expect(try await store.sessionStart(user: c, device: "d").contacts.isEmpty)
        let removed = try await store.removeFriend(from: a, to: b)
        #expect(removed.state == "none" && removed.deliveries.count == 2)
        #expect(try await store.removeFriend(from: a, to: b).deliveries.isEmpty)
        #expect(try await store.contacts(of: a).isEmpty)
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func historyConversationsAndReads(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        var sent: [SendOutcome] = []
        for i in 0..<5 { sent.append(try await Self.send(store, i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, "m\(i)")) }
        let page = try await store.history(user: a, conversation: .direct(peer: b), before: nil, limit: 3)
        #expect(page.messages.map(\.content?.text) == ["m4", "m3", "m2"] && page.hasMore)
        let rest = try await store.history(user: a, conversation: .direct(peer: b),
                                           before: Int64(page.messages.last!.messageID), limit: 3)
        #expect(rest.messages.map(\.content?.text) == ["m1", "m0"] && !rest.hasMore)
        #expect(rest.messages.first?.conversation == "u:\(b)")
        await #expect(throws: RoostError.self) {
            _ = try await store.history(user: a, conversation: .direct(peer: 999_999), before: nil, limit: 3)
        }

        let group = try await store.createGroup(owner: c, name: "g", members: [a], open: false, cap: 10).group
        await #expect(throws: RoostError.self) {
            _ = try await store.history(user: b, conversation: .group(group.id), before: nil, limit: 3)
        }
        let list = try await store.conversations(user: a, limit: 10)
        #expect(list.map(\.conversation) == ["g:\(group.id)", "u:\(b)"], "most recent first")
        #expect(list[1].unread == 2 && list[1].lastMessage?.content?.text == "m4")

        // Reads move forward only and tell the peer.
        let upTo = Int64(sent[3].result.messageID)!
        let read = try await store.markRead(user: a, conversation: .direct(peer: b), upTo: upTo, groupFanOutCap: 10)
        #expect(read.seq != nil && read.deliveries.map(\.user).sorted() == [a, b].sorted())
        let again = try await store.markRead(user: a, conversation: .direct(peer: b), upTo: upTo, groupFanOutCap: 10)
        #expect(again.seq == nil && again.deliveries.isEmpty)
        await #expect(throws: RoostError.self) {
            _ = try await store.markRead(user: a, conversation: .direct(peer: b), upTo: 12345, groupFanOutCap: 10)
        }
        #expect(try await store.conversations(user: a, limit: 10)[1].unread == 0)
        try await test.close()
    }

    /// A 1:1 conversation moves to the top with its newest message, either
    /// side's, and the limit keeps the most recent ones.
    @Test(arguments: Backend.available)
    func directConversationsListNewestFirst(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(4)
        let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3])
        _ = try await Self.send(store, a, b, "to b")
        _ = try await Self.send(store, a, c, "to c")
        _ = try await Self.send(store, d, a, "from d")
        #expect(try await store.conversations(user: a, limit: 10).map(\.conversation) == ["u:\(d)", "u:\(c)", "u:\(b)"])
        let last = try await Self.send(store, b, a, "from b")
        let list = try await store.conversations(user: a, limit: 2)
        #expect(list.map(\.conversation) == ["u:\(b)", "u:\(d)"])
        #expect(list.first?.lastMessage?.content?.text == "from b")
        #expect(list.first?.updatedAt == last.result.timestamp)
        #expect(try await store.conversations(user: c, limit: 10).map(\.conversation) == ["u:\(a)"])
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func recallEditAndReactions(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(2)
        let (a, b) = (ids[0], ids[1])
        let message = try await Self.send(store, a, b, "first draft", mentions: [String(b)])
        let id = Int64(message.result.messageID)!
        #expect(try await store.conversations(user: b, limit: 5).first?.mentions == 1)

        await #expect(throws: RoostError.self) {
            _ = try await store.edit(MessageEdit(user: b, messageID: id, content: MessageContent(text: "x"), windowMillis: 60_000))
        }
        let edited = try await store.edit(MessageEdit(user: a, messageID: id, content: MessageContent(text: "final text"),
                                                      windowMillis: 60_000))
        #expect(edited.change.deliveries.count == 2)
        #expect(try await store.conversations(user: b, limit: 5).first?.mentions == 0, "the edit dropped the mention")
        let history = try await store.history(user: b, conversation: .direct(peer: a), before: nil, limit: 1)
        #expect(history.messages.first?.content?.text == "final text" && history.messages.first?.editedAt == edited.editedAt)

        // Concurrent reactions on one message all land.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for emoji in ["👍", "🎉", "❤️", "😂"] {
                group.addTask { _ = try await store.react(user: b, messageID: id, emoji: emoji, remove: false, maxPerUser: 10) }
            }
            try await group.waitForAll()
        }
        let reacted = try await store.history(user: a, conversation: .direct(peer: b), before: nil, limit: 1)
        #expect(reacted.messages.first?.reactions?.count == 4)
        #expect(try await store.react(user: b, messageID: id, emoji: "👍", remove: false, maxPerUser: 10).seq == nil)
        await #expect(throws: RoostError.self) {
            _ = try await store.react(user: a, messageID: id, emoji: "👍", remove: false, maxPerUser: 0)
        }
        #expect(try await store.react(user: b, messageID: id, emoji: "👍", remove: true, maxPerUser: 10).seq != nil)

        // Recall: sender only, erases the content, tells both sides once.
        await #expect(throws: RoostError.self) { _ = try await store.recall(user: b, messageID: id, windowMillis: 60_000) }
        let recalled = try await store.recall(user: a, messageID: id, windowMillis: 60_000)
        #expect(recalled.deliveries.count == 2)
        #expect(try await store.recall(user: a, messageID: id, windowMillis: 60_000).seq == nil)
        let gone = try await store.history(user: b, conversation: .direct(peer: a), before: nil, limit: 1).messages.first
        #expect(gone?.recalled == true && gone?.content == nil && gone?.reactions == nil)
        await #expect(throws: RoostError.self) {
            _ = try await store.edit(MessageEdit(user: a, messageID: id, content: MessageContent(text: "x"), windowMillis: 60_000))
        }

        // Every item synced later: the edit item carries no content once recalled.
        let items = try await store.items(user: b, after: 0, limit: 100)
        #expect(items.map(\.body.type) == ["message", "edit", "reaction", "reaction", "reaction", "reaction", "reaction", "recall"])
        if case .other(_, let json) = items[1].body { #expect(!json.contains("final text")) }
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func searchFindsOnlyReadableLiveText(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        _ = try await Self.send(store, a, b, "the pelican flies over the harbour at dawn")
        _ = try await Self.send(store, b, c, "a pelican that a cannot see")
        let recalled = try await Self.send(store, a, b, "pelican recalled soon")
        _ = try await store.recall(user: a, messageID: Int64(recalled.result.messageID)!, windowMillis: 60_000)
        let group = try await store.createGroup(owner: a, name: "g", members: [c], open: false, cap: 10).group
        _ = try await store.sendGroup(GroupSend(from: c, device: "d", clientID: "g1", group: group.id,
                                                content: MessageContent(text: "Pelican in the group")),
                                      members: group.members, version: group.version)

        let hits = try await store.search(user: a, query: "PELICAN", conversation: nil, limit: 10)
        #expect(hits.count == 2)
        #expect(Set(hits.compactMap(\.record.content?.text)) == ["the pelican flies over the harbour at dawn", "Pelican in the group"])
        #expect(hits.allSatisfy { $0.snippet.lowercased().contains("pelican") && !$0.snippet.contains("<") })
        #expect(try await store.search(user: a, query: "pelican harbour", conversation: nil, limit: 10).count == 1)
        #expect(try await store.search(user: a, query: "pélican HARBOUR", conversation: nil, limit: 10).count == 1,
                "case and diacritics do not matter")
        #expect(try await store.search(user: a, query: "pelican", conversation: .group(group.id), limit: 10).count == 1)
        #expect(try await store.search(user: a, query: "\"pelican\" OR -x*", conversation: nil, limit: 10).isEmpty)
        #expect(try await store.search(user: a, query: " \u{0} ", conversation: nil, limit: 10).isEmpty)
        await #expect(throws: RoostError.self) {
            _ = try await store.search(user: b, query: "pelican", conversation: .group(group.id), limit: 10)
        }
        try await test.close()
    }

    @Test(arguments: Backend.available)
    func blocksStopMessagesAndFilesNeedAShare(_ backend: Backend) async throws {
        let test = try await backend.open()
        let store = test.store
        let ids = try await test.users(3)
        let (a, b, c) = (ids[0], ids[1], ids[2])
        await #expect(throws: RoostError.self) { try await store.block(user: a, target: a) }
        try await store.block(user: b, target: a)
        try await store.block(user: b, target: a)
        #expect(try await store.blockedUsers(of: b) == [a])
        #expect(try await store.isBlockedEitherWay(a, b))
        #expect(try await store.isBlockedEitherWay(b, a))
        await #expect(throws: RoostError.self) { _ = try await Self.send(store, a, b, "let me in") }
        try await store.unblock(user: b, target: a)
        #expect(try await !store.isBlockedEitherWay(a, b))

        let file = StoredFile(id: "f1", uploader: a, size: 10, mime: "image/png", name: "p.png", sha256: "00",
                              width: 2, height: 3, createdAt: 1)
        try await store.recordFile(file)
        #expect(try await store.file(id: "f1") == file)
        #expect(try await store.mayDownload(fileID: "f1", user: a))
        #expect(try await !store.mayDownload(fileID: "f1", user: b))
        await #expect(throws: RoostError.self) {
            _ = try await store.sendDirect(DirectSend(from: b, device: "d", clientID: "f", to: a,
                                                      content: MessageContent(fileID: "f1")))
        }
        let shared = try await store.sendDirect(DirectSend(from: a, device: "d", clientID: "f", to: b,
                                                           content: MessageContent(fileID: "f1", name: "shown.png")))
        let record = try #require(shared.deliveries.first { $0.user == b })
        if case .message(let message, _) = record.item.body {
            #expect(message.content?.size == 10 && message.content?.name == "shown.png" && message.content?.width == 2)
        } else {
            Issue.record("not a message item")
        }
        #expect(try await store.mayDownload(fileID: "f1", user: b))
        #expect(try await !store.mayDownload(fileID: "f1", user: c))
        #expect(try await !store.mayDownload(fileID: "nope", user: a))
        try await test.close()
    }
}
