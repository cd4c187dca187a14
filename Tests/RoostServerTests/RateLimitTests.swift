import Foundation
import RoostClient
import RoostCore
import Testing

@Suite("Token buckets")
struct TokenBucketTests {
    @Test func aBurstThenTheRefillRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(RateRule(burst: 3, per: .seconds(3)), now: start)
        func take(_ offset: Duration) -> Bool { bucket.take(now: start + offset) }
        let burst = (0..<3).map { _ in take(.zero) }
        #expect(burst == [true, true, true])
        let results = [take(.zero), take(.milliseconds(900)), take(.milliseconds(1_000)), take(.milliseconds(1_100))]
        #expect(results == [false, false, true, false], "one token per second")
        #expect(bucket.isFull(now: start + .seconds(10)))
        // A penalty goes below zero and delays the next success.
        bucket.charge(3, now: start + .seconds(10))
        let later = [take(.seconds(10)), take(.seconds(11))]
        #expect(later == [false, true])
    }

    @Test func rulesParse() {
        #expect(RateRule(parsing: "5/s") == RateRule(burst: 5, per: .seconds(1)))
        #expect(RateRule(parsing: "10/min") == RateRule(burst: 10, per: .seconds(60)))
        #expect(RateRule(parsing: "20/h")?.description == "20/h")
        #expect(RateRule(parsing: "3/10s") == RateRule(burst: 3, per: .seconds(10)))
        #expect(RateRule(parsing: "off")?.isOff == true)
        for bad in ["", "5", "x/s", "-1/s", "5/fortnight", "5/0s"] { #expect(RateRule(parsing: bad) == nil, "\(bad)") }
    }

    @Test func keyedLimiterForgetsIdleKeys() {
        let limiter = KeyedRateLimiter<Int>(RateRule(burst: 1, per: .milliseconds(1)), shards: 2, maxKeysPerShard: 8)
        for key in 0..<10_000 { _ = limiter.allow(key) }
        #expect(limiter.trackedKeys <= 16)
        let strict = KeyedRateLimiter<String>(RateRule(burst: 2, per: .seconds(60)))
        #expect(strict.allow("a") && strict.allow("a") && !strict.allow("a"))
        #expect(strict.allow("b"), "keys are independent")
    }
}

@Suite("Rate limits")
struct RateLimitTests {
    @Test func messagesOverTheLimitAreRateLimitedAndTheConnectionStays() async throws {
        try await LiveServer.run(configure: { $0.core.rates.messages = RateRule(burst: 5, per: .seconds(60)) }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice, device: "one")
            for i in 0..<5 { _ = try await a.sendText("m\(i)", to: bob.userID) }
            let over = try await a.request("send_message", ["to": bob.userID, "content": ["text": "too many"]])
            #expect(over.errorCode == "rate_limited" && over.ref != nil)
            // Per user, not per connection: another device is limited too.
            let other = try await TestClient.connect(server, alice, device: "two")
            #expect(try await other.request("send_message", ["to": bob.userID, "content": ["text": "x"]]).errorCode == "rate_limited")
            try await a.heartbeat()
            #expect(try await a.syncedItems().filter { $0["type"] as? String == "message" }.count == 5)
        }
    }

    @Test func persistentAbuseClosesTheConnection() async throws {
        try await LiveServer.run(configure: {
            $0.core.rates.requests = RateRule(burst: 3, per: .seconds(60))
            $0.core.rates.abuseStrikes = 5
        }) { server in
            let alice = try await server.newUser("a")
            let a = try await TestClient.connect(server, alice)
            var codes: [String] = []
            for _ in 0..<12 {
                let id = a.send("heartbeat")
                guard let reply = await a.waitFor(timeout: .seconds(2), { $0.ref == id }) else { break }
                codes.append(reply.errorCode ?? reply.type)
            }
            #expect(Array(codes.prefix(3)) == ["ack", "ack", "ack"])
            #expect(codes.dropFirst(3).allSatisfy { $0 == "rate_limited" } && codes.count >= 8)
            let closed = await a.socket.waitClosed(timeout: .seconds(2))
            #expect(closed.closed && closed.code == 1008)
        }
    }

    @Test func loginsPerAccountAndFailuresCostMore() async throws {
        try await LiveServer.run(configure: {
            $0.core.rates.loginsPerAccount = RateRule(burst: 5, per: .seconds(60))
            $0.core.rates.failedLoginCost = 1
        }) { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let password = "password-\(alice.username)"
            func login(_ name: String, _ password: String) async throws -> Int {
                try await server.http.request("POST", "/api/login", json: ["username": name, "password": password]).status
            }
            // newUser logged in once: 4 tokens of 5 left.
            #expect(try await login(alice.username, password) == 200)
            #expect(try await login(alice.username, "wrong-password") == 401, "costs 2")
            // One token left.
            #expect(try await login(alice.username, password) == 200)
            let refused = try await server.http.request("POST", "/api/login",
                                                        json: ["username": alice.username, "password": password])
            #expect(refused.status == 429 && refused.errorCode == "rate_limited")
            #expect(try await login(bob.username, "password-\(bob.username)") == 200, "other accounts are not affected")
        }
    }

    @Test func loopbackPeersAreNotLimitedPerIPByDefault() async throws {
        try await LiveServer.run(configure: { $0.core.rates.registrationsPerIP = RateRule(burst: 1, per: .seconds(3600)) }) { server in
            for i in 0..<3 {
                let ok = try await server.http.request("POST", "/api/register",
                                                       json: ["username": "lo\(i)_\(UInt16.random(in: 0...9999))", "password": "password-123"])
                #expect(ok.status == 201)
            }
        }
    }

    @Test func registrationsAndHTTPRequestsPerIP() async throws {
        try await LiveServer.run(configure: {
            $0.core.rates.registrationsPerIP = RateRule(burst: 2, per: .seconds(3600))
            $0.core.rates.limitLoopback = true
        }) { server in
            for i in 0..<2 {
                let ok = try await server.http.request("POST", "/api/register",
                                                       json: ["username": "reg\(i)_\(UInt16.random(in: 0...9999))", "password": "password-123"])
                #expect(ok.status == 201)
            }
            let refused = try await server.http.request("POST", "/api/register", json: ["username": "reg_x", "password": "password-123"])
            #expect(refused.status == 429 && refused.errorCode == "rate_limited")
        }
        try await LiveServer.run(configure: {
            $0.core.rates.http = RateRule(burst: 5, per: .seconds(60))
            $0.core.rates.limitLoopback = true
        }) { server in
            var statuses: [Int] = []
            for _ in 0..<7 { statuses.append(try await server.http.request("GET", "/api/me").status) }
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
            #expect(try await server.http.request("GET", "/health").status == 200, "operations routes are not limited")
        }
    }

    @Test func newConnectionsOverTheLimitAreRefusedAndOpenOnesStay() async throws {
        try await LiveServer.run(configure: { $0.core.rates.connectionsPerUser = RateRule(burst: 2, per: .seconds(60)) }) { server in
            let alice = try await server.newUser("a")
            let one = try await TestClient.connect(server, alice, device: "one")
            let two = try await TestClient.connect(server, alice, device: "two")
            let refused = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)&device=three")
            #expect(refused.status == 429 && refused.body.contains("rate_limited"))
            try await one.heartbeat()
            try await two.heartbeat()
            // By login frame: `rate_limited` with ref, and the connection may retry later.
            let bare = try await TestClient.connectBare(server)
            let reply = try await bare.request("login", ["token": alice.token, "device": "four"])
            #expect(reply.errorCode == "rate_limited")
            #expect(await bare.socket.isClosed == false)
        }
    }

    @Test func theEleventhDeviceIsRefused() async throws {
        try await LiveServer.run(configure: { $0.core.maxDevicesPerUser = 2 }) { server in
            let alice = try await server.newUser("a")
            let one = try await TestClient.connect(server, alice, device: "one")
            let two = try await TestClient.connect(server, alice, device: "two")
            defer { two.close() }
            let refused = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)&device=three")
            #expect(refused.status == 409 && refused.body.contains("conflict"), "\(refused)")
            // A connected device may reconnect (it replaces itself).
            let again = try await TestClient.connect(server, alice, device: "one")
            #expect(await one.socket.waitClosed().code == 4409)
            try await again.heartbeat()
            // By login frame: `conflict` and close 1008.
            let bare = try await TestClient.connectBare(server)
            let reply = try await bare.request("login", ["token": alice.token, "device": "three"])
            #expect(reply.errorCode == "conflict")
            #expect(await bare.socket.waitClosed().code == 1008)
        }
    }

    @Test func aConnectionThatNeverLogsInIsClosed() async throws {
        try await LiveServer.run(configure: { $0.core.loginTimeout = .milliseconds(300) }) { server in
            let bare = try await TestClient.connectBare(server)
            let error = await bare.waitFor(timeout: .seconds(2)) { $0.type == "error" }
            #expect(error?.errorCode == "unauthenticated")
            #expect(await bare.socket.waitClosed().code == 4401)
        }
    }

    @Test func aStalledHandshakeIsReaped() async throws {
        try await LiveServer.run(configure: { $0.handshakeTimeout = .milliseconds(300) }) { server in
            let start = ContinuousClock.now
            let reply = try await RawHTTP.exchange(port: server.port, request: "GET /ws HTTP/1.1\r\nHost: x\r\n")
            #expect(reply.status == 0, "closed without an answer")
            #expect(ContinuousClock.now - start < .seconds(3), "closed by the server, not by the client's 5 s timeout")
            #expect(try await server.http.request("GET", "/health").status == 200)
        }
    }

    @Test func theServerWideConnectionCap() async throws {
        try await LiveServer.run(configure: { $0.core.maxConnections = 2 }) { server in
            let alice = try await server.newUser("a")
            let one = try await TestClient.connect(server, alice, device: "one")
            let two = try await TestClient.connect(server, alice, device: "two")
            defer { two.close() }
            let refused = try await RawHTTP.upgrade(port: server.port, path: "/ws?token=\(alice.token)&device=three")
            #expect(refused.status == 429)
            try await one.heartbeat()
        }
    }
}
