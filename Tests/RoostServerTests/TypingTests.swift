import Foundation
import RoostClient
import Testing

/// `typing`: relayed ephemerally, never answered or stored, rate-limited.
@Suite("Typing")
struct TypingTests {
    @Test func directAndGroupTypingIsRelayedWithoutSeqAndRateLimited() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("alice"), bob = try await server.newUser("bob")
            let carol = try await server.newUser("carol")
            let gid = try #require(try await server.createGroup(alice, members: [bob, carol])["group_id"] as? String)
            let aliceWS = try await TestClient.connect(server, alice, since: 1_000_000)
            let aliceOther = try await TestClient.connect(server, alice, device: "other", since: 1_000_000)
            let bobWS = try await TestClient.connect(server, bob, since: 1_000_000)
            let carolWS = try await TestClient.connect(server, carol, since: 1_000_000)

            aliceWS.sendFrame(["type": "typing", "data": ["to": bob.userID]])
            let direct = try #require(await bobWS.ephemeral("typing"))
            #expect(direct.string("from") == alice.userID && direct.string("conversation") == "u:\(alice.userID)")
            #expect(direct.data["seq"] == nil)

            aliceWS.sendFrame(["type": "typing", "data": ["group_id": gid]])
            aliceWS.sendFrame(["type": "typing", "data": ["group_id": gid]])   // within the interval: dropped
            aliceOther.sendFrame(["type": "typing", "data": ["group_id": gid]]) // another device of hers: dropped too
            for client in [bobWS, carolWS] {
                let frame = try #require(await client.ephemeral("typing"))
                #expect(frame.string("conversation") == "g:\(gid)" && frame.string("from") == alice.userID)
                #expect(await client.ephemeral("typing", timeout: .milliseconds(500)) == nil, "one per second")
            }
            #expect(await aliceOther.ephemeral("typing", timeout: .milliseconds(300)) == nil, "not to own devices")
            #expect(await aliceWS.waitFor(timeout: .milliseconds(300)) { $0.type == "ack" || $0.type == "error" } == nil,
                    "typing is never answered")

            // A non-member's typing goes nowhere.
            let dave = try await server.newUser("dave")
            let daveWS = try await TestClient.connect(server, dave)
            daveWS.sendFrame(["type": "typing", "data": ["group_id": gid]])
            #expect(await bobWS.ephemeral("typing", timeout: .milliseconds(500)) == nil)

            try await Task.sleep(for: .milliseconds(1100))
            aliceWS.sendFrame(["type": "typing", "data": ["group_id": gid]])
            #expect(await bobWS.ephemeral("typing") != nil, "allowed again after the interval")
            #expect(try await bobWS.sync(since: 1)["head_seq"] as? Int == 1, "never stored: only the created item")
        }
    }
}
