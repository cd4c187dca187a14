import Foundation
import RoostClient
import Testing

/// Group messages over real sockets: fan-out into each member's own inbox,
/// membership checks that leak nothing, leaving and joining.
@Suite("Group messaging")
struct GroupMessagingTests {
    @Test func groupMessageReachesEveryMemberInTheirOwnSeqSpace() async throws {
        // A long retry interval: the sender's held copy must not come back as a retry during the check.
        try await LiveServer.run(configure: { $0.core.retryInterval = .seconds(10) }) { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let carol = try await server.newUser("carol")
            // Bob's inbox gets ahead, so the seq spaces differ.
            let aliceWS = try await TestClient.connect(server, alice, device: "one")
            _ = try await aliceWS.sendText("hi bob", to: bob.userID)
            _ = try await aliceWS.sendText("hi again", to: bob.userID)
            let group = try await server.createGroup(alice, members: [bob, carol])
            let gid = try #require(group["group_id"] as? String)
            #expect(group["owner_id"] as? String == alice.userID)
            #expect(Set(group["member_ids"] as? [String] ?? []) == [alice.userID, bob.userID, carol.userID])
            #expect(group["open"] as? Bool == false && group["created_at"] is Int && group["name"] as? String == "team")

            let aliceOther = try await TestClient.connect(server, alice, device: "two", since: 1_000_000)
            let bobWS = try await TestClient.connect(server, bob, since: 1_000_000)
            let sender = try await TestClient.connect(server, alice, device: "one", since: 1_000_000)
            let ack = try await sender.sendGroupText("hello team", group: gid)
            let messageID = try #require(ack["message_id"] as? String)
            #expect(ack["seq"] as? Int == 4, "alice: 2 own DMs, created, then this")

            let onBob = try await bobWS.items(1)[0]
            let onOther = try await aliceOther.items(1)[0]
            for frame in [onBob, onOther] {
                #expect(frame.type == "message" && frame.messageID == messageID && frame.text == "hello team")
                #expect(frame.string("conversation") == "g:\(gid)" && frame.string("group_id") == gid)
                #expect(frame.string("from") == alice.userID && frame.data["to"] == nil)
            }
            #expect(onBob.seq == 4, "bob: 2 DMs, created, then this")
            #expect(onOther.seq == 4)
            #expect(await sender.itemsWithin(.milliseconds(700)).isEmpty, "the sending connection holds its copy")

            // Carol was offline: the message waits in her inbox (created = 1, message = 2).
            let carolWS = try await TestClient.connect(server, carol)
            let items = try await carolWS.syncedItems()
            #expect(items.count == 2)
            #expect(items.last?["message_id"] as? String == messageID && itemData(items.last ?? [:])["seq"] as? Int == 2)
        }
    }

    @Test func repeatedGroupSendIsIdempotent() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let gid = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let ws = try await TestClient.connect(server, alice)
            let first = try await ws.sendGroupText("once", group: gid, id: "same-id")
            let again = try await ws.sendGroupText("once", group: gid, id: "same-id")
            #expect(first["message_id"] as? String == again["message_id"] as? String)
            #expect(first["seq"] as? Int == again["seq"] as? Int)
            let bobItems = try await TestClient.connect(server, bob).syncedItems()
            #expect(bobItems.filter { $0["type"] as? String == "message" }.count == 1)
        }
    }

    @Test func nonMembersAreForbiddenAndLearnNothing() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), dave = try await server.newUser("dave")
            let gid = try #require(try await server.createGroup(alice, members: [])["group_id"] as? String)
            let ws = try await TestClient.connect(server, dave)
            var answers: [String] = []
            for target in [gid, "999999999", "not-a-group"] {
                let reply = try await ws.request("send_message", ["group_id": target, "content": ["text": "x"]])
                #expect(reply.errorCode == "forbidden", "\(target): \(reply)")
                answers.append(reply.data["message"] as? String ?? "")
                let members = try await server.members(dave, group: target)
                #expect(members.status == 403 && members.errorCode == "forbidden")
                answers.append(String(decoding: members.body, as: UTF8.self))
                let join = try await ws.request("join_group", ["group_id": target])
                #expect(join.errorCode == "forbidden")
                let add = try await server.http.request("POST", "/api/groups/\(target)/members",
                                                         json: ["user_ids": [dave.userID]], token: dave.token)
                #expect(add.status == 403)
            }
            #expect(answers[0] == answers[2] && answers[2] == answers[4], "one answer for every non-member case")
            #expect(answers[1] == answers[3] && answers[3] == answers[5])
            let listed = try await server.http.request("GET", "/api/groups", token: dave.token)
            #expect((listed.json["groups"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func leavingStopsDeliveryButKeepsWhatWasDelivered() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let gid = try #require(try await server.createGroup(alice, members: [bob])["group_id"] as? String)
            let aliceWS = try await TestClient.connect(server, alice, since: 1_000_000)
            _ = try await aliceWS.sendGroupText("before", group: gid)
            let bobWS = try await TestClient.connect(server, bob, since: 1_000_000)
            let left = try await bobWS.call("leave_group", ["group_id": gid])
            #expect(left["seq"] as? Int == 3, "created, message, left")
            let group = try #require(left["group"] as? [String: Any])
            #expect(group["member_ids"] as? [String] == [alice.userID])

            let leftEvent = try #require(await aliceWS.waitFor { $0.type == "group_event" })
            #expect(leftEvent.type == "group_event" && leftEvent.string("event") == "left")
            #expect(leftEvent.string("user_id") == bob.userID && leftEvent.string("by") == bob.userID)

            let after = try await aliceWS.request("send_message", ["group_id": gid, "content": ["text": "after"]])
            #expect(after.type == "ack")
            try await bobWS.ack(3)
            #expect(await bobWS.itemsWithin(.seconds(1)).isEmpty, "a former member gets nothing newer")
            let kept = try await bobWS.syncedItems()
            #expect(kept.map { $0["type"] as? String } == ["group_event", "message", "group_event"])
            #expect(try await server.members(bob, group: gid).status == 403)
            let send = try await bobWS.request("send_message", ["group_id": gid, "content": ["text": "x"]])
            #expect(send.errorCode == "forbidden")
        }
    }

    @Test func joiningAnOpenGroupThenReceiving() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), dave = try await server.newUser("dave")
            let open = try #require(try await server.createGroup(alice, members: [], open: true)["group_id"] as? String)
            let closed = try #require(try await server.createGroup(alice, members: [])["group_id"] as? String)
            let daveWS = try await TestClient.connect(server, dave)
            #expect(try await daveWS.request("join_group", ["group_id": closed]).errorCode == "forbidden")
            let joined = try await daveWS.call("join_group", ["group_id": open])
            #expect(joined["seq"] as? Int == 1)
            #expect((joined["group"] as? [String: Any])?["member_ids"] as? [String] == [alice.userID, dave.userID])
            try await daveWS.ack(1)
            let again = try await daveWS.call("join_group", ["group_id": open])
            #expect(again["seq"] == nil, "joining a group you are in adds no item")
            let aliceWS = try await TestClient.connect(server, alice)
            _ = try await aliceWS.sendGroupText("welcome", group: open)
            let message = try await daveWS.items(1)[0]
            #expect(message.text == "welcome" && message.seq == 2)
            // Over HTTP as well.
            let erin = try await server.newUser("erin")
            let viaHTTP = try await server.http.request("POST", "/api/groups/\(open)/join", token: erin.token)
            #expect(viaHTTP.status == 200 && (viaHTTP.json["member_ids"] as? [String])?.last == erin.userID)
        }
    }
}
