import Foundation
import RoostClient
import Testing

/// Owner and member roles, events, succession, deletion and the member cap.
@Suite("Group membership")
struct GroupMembershipTests {
    /// The `group_event` items of a user's inbox, as (event, user_id, by).
    func events(_ server: LiveServer, _ user: RoostHTTP.Account, group: String) async throws -> [[String?]] {
        let client = try await TestClient.connect(server, user, device: "check")
        defer { client.close() }
        return try await client.syncedItems().map(itemData)
            .filter { $0["group_id"] as? String == group }
            .map { [$0["event"] as? String, $0["user_id"] as? String, $0["by"] as? String] }
    }

    @Test func eventsGoToTheRightUsers() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let carol = try await server.newUser("carol")
            let group = try await server.createGroup(alice, members: [bob, bob, alice], name: "club")
            let gid = try #require(group["group_id"] as? String)
            #expect(group["member_ids"] as? [String] == [alice.userID, bob.userID], "duplicates and the creator ignored")
            let created = try await TestClient.connect(server, bob).syncedItems().first.map(itemData) ?? [:]
            #expect(created["event"] as? String == "created" && created["name"] as? String == "club")
            #expect(created["user_id"] as? String == alice.userID && created["by"] as? String == alice.userID)

            let added = try await server.http.request("POST", "/api/groups/\(gid)/members",
                                                       json: ["user_ids": [carol.userID]], token: bob.token)
            #expect(added.status == 200 && (added.json["member_ids"] as? [String])?.count == 3)
            let joined: [String?] = ["joined", carol.userID, bob.userID]
            #expect(try await events(server, alice, group: gid) == [["created", alice.userID, alice.userID], joined])
            #expect(try await events(server, carol, group: gid) == [joined], "the new member gets joined, not created")

            let unknown = try await server.http.request("POST", "/api/groups/\(gid)/members",
                                                         json: ["user_ids": ["123456789"]], token: bob.token)
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
            let badCreate = try await server.http.request("POST", "/api/groups",
                                                           json: ["name": "x", "member_ids": ["42424242"]], token: alice.token)
            #expect(badCreate.status == 404)
            let noName = try await server.http.request("POST", "/api/groups", json: ["name": "  ", "member_ids": [String]()],
                                                        token: alice.token)
            #expect(noName.status == 400 && noName.errorCode == "bad_request")
            let mine = try await server.http.request("GET", "/api/groups", token: carol.token)
            #expect((mine.json["groups"] as? [[String: Any]])?.map { $0["group_id"] as? String } == [gid])
        }
    }

    @Test func ownerRemovesAndRenames() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let carol = try await server.newUser("carol")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let byBob = try await server.http.request("DELETE", "/api/groups/\(gid)/members/\(carol.userID)", token: bob.token)
            #expect(byBob.status == 403, "only the owner removes")
            let renameByBob = try await server.http.request("PATCH", "/api/groups/\(gid)", json: ["name": "b"], token: bob.token)
            #expect(renameByBob.status == 403)

            let removed = try await server.http.request("DELETE", "/api/groups/\(gid)/members/\(bob.userID)", token: alice.token)
            #expect(removed.status == 200 && removed.json["member_ids"] as? [String] == [alice.userID, carol.userID])
            let removal: [String?] = ["removed", bob.userID, alice.userID]
            #expect(try await events(server, bob, group: gid).last == removal, "the removed member is told")
            #expect(try await events(server, carol, group: gid).last == removal)

            let renamed = try await server.http.request("PATCH", "/api/groups/\(gid)", json: ["name": "new name"],
                                                         token: alice.token)
            #expect(renamed.status == 200 && renamed.json["name"] as? String == "new name")
            let carolWS = try await TestClient.connect(server, carol, device: "names")
            let last = try await carolWS.syncedItems().last.map(itemData) ?? [:]
            #expect(last["event"] as? String == "renamed" && last["name"] as? String == "new name")
            #expect(last["user_id"] as? String == alice.userID && last["by"] as? String == alice.userID)
            #expect(try await events(server, bob, group: gid).last == removal, "a former member hears of no rename")
            let gone = try await server.http.request("DELETE", "/api/groups/\(gid)/members/\(bob.userID)", token: alice.token)
            #expect(gone.status == 404, "removing a non-member")
        }
    }

    @Test func ownerLeavingPassesOwnershipAndLastMemberDeletes() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let carol = try await server.newUser("carol")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let left = try await server.http.request("POST", "/api/groups/\(gid)/leave", token: alice.token)
            #expect(left.status == 200 && left.json["owner_id"] as? String == bob.userID, "the longest-standing member")
            #expect(try await events(server, alice, group: gid).last == ["left", alice.userID, alice.userID])
            let renamed = try await server.http.request("PATCH", "/api/groups/\(gid)", json: ["name": "bob's"], token: bob.token)
            #expect(renamed.status == 200)

            _ = try await server.http.request("POST", "/api/groups/\(gid)/leave", token: bob.token)
            let carolWS = try await TestClient.connect(server, carol)
            let last = try await carolWS.call("leave_group", ["group_id": gid])
            let group = try #require(last["group"] as? [String: Any])
            #expect((group["member_ids"] as? [String])?.isEmpty == true, "deleted with its last member")
            #expect(last["seq"] is Int)
            #expect(try await server.members(carol, group: gid).status == 403)
            #expect(try await carolWS.request("join_group", ["group_id": gid]).errorCode == "forbidden")
            #expect(try await carolWS.request("leave_group", ["group_id": gid]).errorCode == "forbidden")
        }
    }

    @Test func memberCapGivesConflict() async throws {
        try await LiveServer.run(configure: { $0.core.groupMemberCap = 3 }) { server in
            let users = try await [server.newUser("a"), server.newUser("b"), server.newUser("c"), server.newUser("d")]
            let tooMany = try await server.http.request("POST", "/api/groups",
                                                        json: ["name": "big", "member_ids": users.dropFirst().map(\.userID)],
                                                        token: users[0].token)
            #expect(tooMany.status == 409 && tooMany.errorCode == "conflict")
            let gid = try #require(try await server.createGroup(users[0], members: [users[1], users[2]], open: true)["group_id"] as? String)
            let add = try await server.http.request("POST", "/api/groups/\(gid)/members",
                                                    json: ["user_ids": [users[3].userID]], token: users[0].token)
            #expect(add.status == 409 && add.errorCode == "conflict")
            let join = try await TestClient.connect(server, users[3]).request("join_group", ["group_id": gid])
            #expect(join.errorCode == "conflict")
            #expect((try await server.members(users[0], group: gid).json["member_ids"] as? [String])?.count == 3)
        }
    }
}
