import Foundation
import RoostClient
import Testing

/// The group side of history, read receipts, recall, the conversation list and
/// files (issue 4 wired through `SQLiteStore+GroupAccess`), over real sockets.
@Suite("Group history, read, recall, conversations and files")
struct GroupConversationTests {
    @Test func historyNeedsCurrentMembership() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let gid = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            var sent: [String] = []
            for i in 0..<3 { sent.append(try #require(try await a.sendGroupText("g\(i)", group: gid)["message_id"] as? String)) }

            let b = try await TestClient.connect(server, bob)
            let page = try await b.historyPage("g:\(gid)")
            #expect(page.ids == sent.reversed())
            #expect(page.records.allSatisfy { $0["conversation"] as? String == "g:\(gid)" && $0["group_id"] as? String == gid })
            let older = try await b.historyPage("g:\(gid)", before: sent[2], limit: 1)
            #expect(older.ids == [sent[1]] && older.hasMore)

            // A non-member and a group that does not exist get the same answer.
            let c = try await TestClient.connect(server, carol)
            for conversation in ["g:\(gid)", "g:999999999"] {
                let reply = try await c.request("history", ["conversation": conversation])
                #expect(reply.errorCode == "forbidden")
                #expect(reply.data["message"] as? String == "not a member of this group")
                let http = try await server.http.request("GET", "/api/messages?conversation=\(conversation)", token: carol.token)
                #expect(http.status == 403 && http.errorCode == "forbidden")
            }

            // A former member loses the history.
            _ = try await b.call("leave_group", ["group_id": gid])
            #expect(try await b.request("history", ["conversation": "g:\(gid)"]).errorCode == "forbidden")
            let http = try await server.http.request("GET", "/api/messages?conversation=g:\(gid)", token: bob.token)
            #expect(http.status == 403)
        }
    }

    @Test func readFansOutToTheOtherMembers() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            let first = try #require(try await a.sendGroupText("one", group: gid)["message_id"] as? String)
            let second = try #require(try await a.sendGroupText("two", group: gid)["message_id"] as? String)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            #expect(try await server.unread(bob, in: "g:\(gid)") == 2)

            let ack = try await b.call("read", ["conversation": "g:\(gid)", "up_to": second])
            #expect(ack["seq"] is Int)
            for client in [a, c] {
                let item = try await client.item(ofType: "read")
                #expect(item.data["conversation"] as? String == "g:\(gid)")
                #expect(item.data["reader"] as? String == bob.userID && item.data["up_to"] as? String == second)
            }
            #expect(try await server.unread(bob, in: "g:\(gid)") == 0)
            #expect(try await server.unread(carol, in: "g:\(gid)") == 2)
            // Backward: acked without seq.
            #expect(try await b.call("read", ["conversation": "g:\(gid)", "up_to": first])["seq"] == nil)
            // A message of another conversation, and a group I am not in.
            let dave = try await server.newUser("d")
            let d = try await TestClient.connect(server, dave)
            #expect(try await d.request("read", ["conversation": "g:\(gid)", "up_to": second]).errorCode == "forbidden")
        }
    }

    @Test func aboveTheReadReceiptCapOnlyTheReadersDevicesHear() async throws {
        try await LiveServer.run(configure: { $0.core.groupReadReceiptCap = 2 }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            let id = try #require(try await a.sendGroupText("hi", group: gid)["message_id"] as? String)
            let b1 = try await TestClient.connect(server, bob, device: "one")
            let b2 = try await TestClient.connect(server, bob, device: "two")
            let c = try await TestClient.connect(server, carol)
            _ = try await b2.items(2) // created, message

            let ack = try await b1.call("read", ["conversation": "g:\(gid)", "up_to": id])
            let seq = try #require(ack["seq"] as? Int)
            #expect(try await b2.item(ofType: "read").seq == seq, "the reader's other device still hears")
            #expect(await a.itemsWithin(.milliseconds(400)).filter { $0.type == "read" }.isEmpty)
            #expect(await c.itemsWithin(.milliseconds(100)).filter { $0.type == "read" }.isEmpty)
            #expect(try await server.unread(bob, in: "g:\(gid)") == 0)
            #expect(try await server.unread(carol, in: "g:\(gid)") == 1)
        }
    }

    @Test func ownerRecallsAnyMessageMembersOnlyTheirOwn() async throws {
        try await LiveServer.run(configure: { $0.core.recallWindow = .milliseconds(600) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob), c = try await TestClient.connect(server, carol)
            let bobs = try #require(try await b.sendGroupText("from bob", group: gid)["message_id"] as? String)
            let carols = try #require(try await c.sendGroupText("from carol", group: gid)["message_id"] as? String)
            let late = try #require(try await b.sendGroupText("late", group: gid)["message_id"] as? String)

            #expect(try await c.request("recall", ["message_id": bobs]).errorCode == "forbidden")
            #expect(try await c.call("recall", ["message_id": carols])["seq"] is Int)
            // The owner recalls someone else's message; everyone hears, `by` = the owner.
            #expect(try await a.call("recall", ["message_id": bobs])["seq"] is Int)
            for client in [b, c] {
                let item = try #require(await client.waitFor { $0.type == "recall" && $0.messageID == bobs })
                #expect(item.data["by"] as? String == alice.userID && item.data["conversation"] as? String == "g:\(gid)")
            }
            // After the window: the sender may not, the owner still may.
            try await Task.sleep(for: .milliseconds(800))
            #expect(try await b.request("recall", ["message_id": late]).errorCode == "forbidden")
            #expect(try await a.call("recall", ["message_id": late])["seq"] is Int)
            // A former member may not recall, even their own.
            let own = try #require(try await c.sendGroupText("mine", group: gid)["message_id"] as? String)
            _ = try await c.call("leave_group", ["group_id": gid])
            #expect(try await c.request("recall", ["message_id": own]).errorCode == "forbidden")
            let history = try await a.historyPage("g:\(gid)")
            #expect(history.records.filter { $0["recalled"] as? Bool == true }.count == 3)
        }
    }

    @Test func conversationListShowsMyGroupsWithUnreadCounts() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let quiet = try #require(try await server.createGroup(alice, members: [bob], name: "quiet")["group_id"] as? String)
            let busy = try #require(try await server.createGroup(alice, members: [bob], name: "busy")["group_id"] as? String)
            _ = try await server.createGroup(carol, members: [], name: "other")
            let a = try await TestClient.connect(server, alice)
            var ids: [String] = []
            for i in 0..<3 { ids.append(try #require(try await a.sendGroupText("b\(i)", group: busy)["message_id"] as? String)) }
            let b = try await TestClient.connect(server, bob)
            _ = try await b.sendGroupText("mine", group: busy)

            let list = try await server.conversations(bob)
            #expect(list.map { $0["conversation"] as? String } == ["g:\(busy)", "g:\(quiet)"], "most recent first, only mine")
            #expect(list[0]["unread"] as? Int == 3, "my own message is not unread")
            #expect((list[0]["last_message"] as? [String: Any])?["content"] as? [String: String] == ["text": "mine"])
            #expect(list[1]["unread"] as? Int == 0 && list[1]["last_message"] is NSNull && list[1]["updated_at"] is Int)

            _ = try await b.call("read", ["conversation": "g:\(busy)", "up_to": ids[0]])
            #expect(try await server.unread(bob, in: "g:\(busy)") == 2)
            _ = try await a.call("recall", ["message_id": ids[2]])
            #expect(try await server.unread(bob, in: "g:\(busy)") == 1, "recalled messages are not counted")
            #expect(try await server.unread(alice, in: "g:\(busy)") == 1, "bob's message")

            _ = try await b.call("leave_group", ["group_id": quiet])
            #expect(try await server.conversations(bob).map { $0["conversation"] as? String } == ["g:\(busy)"])
        }
    }

    @Test func aGroupFileIsForMembersOnly() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let gid = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let data = Data("group payload \(UUID())".utf8)
            let created = try await FileTests.upload(server, alice, data, name: "notes.txt", mime: "text/plain")
            let fileID = try #require(created.json["file_id"] as? String)
            let b = try await TestClient.connect(server, bob)
            #expect(try await b.request("send_message", ["group_id": gid, "content": ["file_id": fileID]]).errorCode == "not_found",
                    "only the uploader may send a file")

            let a = try await TestClient.connect(server, alice)
            let ack = try await a.call("send_message", ["group_id": gid, "content": ["file_id": fileID, "text": "see"]])
            #expect(ack["seq"] is Int)
            let item = try await b.item(ofType: "message")
            let content = try #require(item.data["content"] as? [String: Any])
            #expect(content["file_id"] as? String == fileID && content["size"] as? Int == data.count)
            #expect(content["name"] as? String == "notes.txt" && content["mime"] as? String == "text/plain")

            let got = try await server.http.request("GET", "/api/files/\(fileID)", token: bob.token)
            #expect(got.status == 200 && got.body == data)
            let stranger = try await server.http.request("GET", "/api/files/\(fileID)", token: carol.token)
            #expect(stranger.status == 404 && stranger.errorCode == "not_found")
            // Leaving the group withdraws access.
            _ = try await b.call("leave_group", ["group_id": gid])
            #expect(try await server.http.request("GET", "/api/files/\(fileID)", token: bob.token).status == 404)
        }
    }
}
