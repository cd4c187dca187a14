import Foundation
import RoostClient
import RoostServer
import Testing

/// Push to offline devices over real sockets: the server POSTs to a receiver
/// started by the test (PROTOCOL.md 9).
@Suite("Push delivery")
struct PushDeliveryTests {
    /// A short interval and timeout; the receiver is on loopback.
    static func configure(interval: Duration = .milliseconds(200)) -> @Sendable (inout ServerSettings) -> Void {
        { settings in
            settings.push.interval = interval
            settings.push.requestTimeout = .milliseconds(500)
            settings.push.allowPrivateAddresses = true
        }
    }

    static func register(_ server: LiveServer, _ account: RoostHTTP.Account, device: String, endpoint: String) async throws {
        let put = try await server.http.request("PUT", "/api/push", json: ["device": device, "endpoint": endpoint],
                                                token: account.token)
        try #require(put.status == 200, "PUT /api/push: \(put.status)")
    }

    @Test func offlineDeviceGetsCountersAndNoContent() async throws {
        try await PushReceiver.run { receiver in
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("bob-phone"))
                let sender = try await TestClient.connect(server, alice)
                _ = try await sender.sendText("the secret plans", to: bob.userID)

                let request = try #require(await receiver.waitFor("bob-phone").first)
                #expect(request.contentType?.hasPrefix("application/json") == true)
                let json = request.json
                #expect(json["user_id"] as? String == bob.userID)
                #expect(json["device"] as? String == "phone")
                #expect(json["head_seq"] as? Int == 1)
                #expect(json["unread"] as? Int == 1)
                #expect(Set(json.keys) == ["user_id", "device", "head_seq", "unread"])
                #expect(!request.body.contains("secret"), "a push never carries content")
                // The sender's own copy is an item too, but alice has no endpoint.
                #expect(await receiver.recorder.requests.count == 1)
                // Counted once the answer is in.
                let deadline = ContinuousClock.now + .seconds(5)
                var metrics = ""
                while !metrics.contains("roost_push_sent_total"), ContinuousClock.now < deadline {
                    metrics = String(decoding: try await server.http.request("GET", "/metrics").body, as: UTF8.self)
                    if !metrics.contains("roost_push_sent_total") { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(metrics.contains("roost_push_sent_total"))
            }
        }
    }

    @Test func connectedDeviceGetsNoPush() async throws {
        try await PushReceiver.run { receiver in
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("bob-phone"))
                // The offline tablet is the control: once its push arrives, the phone's was decided too.
                try await Self.register(server, bob, device: "tablet", endpoint: receiver.url("bob-tablet"))
                let phone = try await TestClient.connect(server, bob, device: "phone")
                let sender = try await TestClient.connect(server, alice)
                _ = try await sender.sendText("hello", to: bob.userID)
                #expect(try await phone.items(1).first?.text == "hello")
                #expect(await receiver.waitFor("bob-tablet").count == 1)
                #expect(await receiver.requests(to: "bob-phone").isEmpty)
            }
        }
    }

    @Test func messagesWithinTheIntervalAreCoalesced() async throws {
        try await PushReceiver.run { receiver in
            try await LiveServer.run(configure: Self.configure(interval: .seconds(1))) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("bob-phone"))
                let sender = try await TestClient.connect(server, alice)
                for n in 1...5 { _ = try await sender.sendText("m\(n)", to: bob.userID) }

                let last = try #require(await receiver.waitFor("bob-phone") { $0.json["head_seq"] as? Int == 5 })
                #expect(last.json["unread"] as? Int == 5)
                let all = await receiver.requests(to: "bob-phone")
                #expect(all.count <= 2, "five messages, at most the first push and one coalesced push: \(all.map(\.body))")
                if all.count == 2 {
                    #expect(all[1].at - all[0].at >= .milliseconds(900), "one request per interval")
                }
            }
        }
    }

    @Test func goneEndpointIsRemoved() async throws {
        try await PushReceiver.run { receiver in
            await receiver.set("gone", .status(410))
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("gone"))
                let sender = try await TestClient.connect(server, alice)
                _ = try await sender.sendText("one", to: bob.userID)
                #expect(await receiver.waitFor("gone").count == 1)

                let deadline = ContinuousClock.now + .seconds(5)
                var registrations: [Any] = [0]
                while !registrations.isEmpty, ContinuousClock.now < deadline {
                    registrations = try await server.http.request("GET", "/api/push", token: bob.token)
                        .json["registrations"] as? [Any] ?? []
                    if !registrations.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(registrations.isEmpty, "an endpoint answering 410 is removed")
            }
        }
    }

    @Test func notFoundEndpointIsRemoved() async throws {
        try await PushReceiver.run { receiver in
            await receiver.set("missing", .status(404))
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("missing"))
                _ = try await TestClient.connect(server, alice).sendText("one", to: bob.userID)
                #expect(await receiver.waitFor("missing").count == 1)
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline {
                    let list = try await server.http.request("GET", "/api/push", token: bob.token)
                    if (list.json["registrations"] as? [Any])?.isEmpty == true { return }
                    try await Task.sleep(for: .milliseconds(20))
                }
                Issue.record("an endpoint answering 404 is removed")
            }
        }
    }

    @Test func failingEndpointIsRetriedWithBackoffAndDeliveryGoesOn() async throws {
        try await PushReceiver.run { receiver in
            await receiver.set("flaky", .sequence([500, 503], then: 200))
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("flaky"))
                let laptop = try await TestClient.connect(server, bob, device: "laptop")
                let sender = try await TestClient.connect(server, alice)
                _ = try await sender.sendText("one", to: bob.userID)
                #expect(try await laptop.items(1, timeout: .seconds(2)).first?.text == "one")

                let requests = await receiver.waitFor("flaky", count: 3)
                try #require(requests.count == 3, "two failures, then a retry that succeeds")
                #expect(requests[1].at - requests[0].at >= .milliseconds(180), "first retry after the interval")
                #expect(requests[2].at - requests[1].at >= .milliseconds(380), "then doubling")
                #expect(requests[2].json["head_seq"] as? Int == 1)
                // Delivered: nothing more is sent.
                try await Task.sleep(for: .milliseconds(500))
                #expect(await receiver.requests(to: "flaky").count == 3)
            }
        }
    }

    @Test func hangingEndpointDoesNotSlowDeliveryAndIsRetried() async throws {
        try await PushReceiver.run { receiver in
            // The endpoint answers after 3 s; the server gives up on a request after 1.5 s.
            await receiver.set("hang", .hang(.seconds(3)))
            try await LiveServer.run(configure: { settings in
                Self.configure()(&settings)
                settings.push.requestTimeout = .milliseconds(1500)
            }) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("hang"))
                let laptop = try await TestClient.connect(server, bob, device: "laptop")
                let sender = try await TestClient.connect(server, alice)
                let start = ContinuousClock.now
                for n in 1...3 { _ = try await sender.sendText("m\(n)", to: bob.userID) }
                let items = try await laptop.items(3, timeout: .seconds(2))
                #expect(items.map(\.text) == ["m1", "m2", "m3"])
                #expect(ContinuousClock.now - start < .milliseconds(1200),
                        "sends and delivery never wait for a push request in flight")
                // The first request times out and is retried after the interval.
                let requests = await receiver.waitFor("hang", count: 2, timeout: .seconds(6))
                #expect(requests.count == 2)
                if requests.count == 2 {
                    #expect(requests[1].at - requests[0].at >= .milliseconds(1600))
                }
            }
        }
    }

    @Test func deleteStopsPushes() async throws {
        try await PushReceiver.run { receiver in
            try await LiveServer.run(configure: Self.configure()) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("bob-phone"))
                try await Self.register(server, bob, device: "tablet", endpoint: receiver.url("bob-tablet"))
                let sender = try await TestClient.connect(server, alice)
                _ = try await sender.sendText("one", to: bob.userID)
                #expect(await receiver.waitFor("bob-phone").count == 1)

                let deleted = try await server.http.request("DELETE", "/api/push/phone", token: bob.token)
                #expect(deleted.status == 200)
                _ = try await sender.sendText("two", to: bob.userID)
                // The tablet is the control: its push for the second message means the phone's was decided.
                #expect(await receiver.waitFor("bob-tablet") { $0.json["head_seq"] as? Int == 2 } != nil)
                #expect(await receiver.requests(to: "bob-phone").count == 1)
            }
        }
    }

    @Test func groupMessagesAndUnreadAcrossConversations() async throws {
        try await PushReceiver.run { receiver in
            try await LiveServer.run(configure: Self.configure(interval: .milliseconds(100))) { server in
                let alice = try await server.newUser("a"), bob = try await server.newUser("b"),
                    carol = try await server.newUser("c")
                try await Self.register(server, bob, device: "phone", endpoint: receiver.url("bob-phone"))
                let created = try await server.http.request("POST", "/api/groups",
                                                            json: ["name": "g", "member_ids": [bob.userID, carol.userID]],
                                                            token: alice.token)
                let groupID = try #require(created.json["group_id"] as? String)
                let aliceWS = try await TestClient.connect(server, alice)
                let carolWS = try await TestClient.connect(server, carol)
                _ = try await aliceWS.call("send_message", ["group_id": groupID, "content": ["text": "hi all"]])
                _ = try await carolWS.sendText("direct", to: bob.userID)
                // Bob's inbox: group created, group message, direct message.
                let request = try #require(await receiver.waitFor("bob-phone") { $0.json["head_seq"] as? Int == 3 })
                #expect(request.json["unread"] as? Int == 2, "one unread in the group, one in the 1:1 conversation")
            }
        }
    }
}
