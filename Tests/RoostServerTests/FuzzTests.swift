import Foundation
import RoostClient
import RoostProtocol
import Testing

/// Random and mutated input at the codec, at a live connection and at every
/// HTTP route: nothing crashes or hangs, every reply is a valid frame (or an
/// HTTP error body), and the server stays healthy.
@Suite("Fuzz")
struct FuzzTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["ROOST_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)

    @Test func theCodecRejectsOrAcceptsEveryInputWithoutCrashing() {
        var fuzzer = FrameFuzzer(seed: Self.seed)
        var accepted = 0
        for _ in 0..<5_000 {
            let bytes = fuzzer.mutatedBytes()
            do {
                let frame = try ClientFrame(json: bytes)
                accepted += 1
                // Every request shape decodes or throws a RoostError, never traps.
                _ = try? frame.decodeData(SendMessageRequest.self)
                _ = try? frame.decodeData(SyncRequest.self)
                _ = try? frame.decodeData(HistoryRequest.self)
                _ = try? frame.decodeData(ReadRequest.self)
                _ = try? frame.decodeData(AckRequest.self)
                _ = try? frame.decodeData(LoginRequest.self)
            } catch {
                // A FrameError: fine.
            }
        }
        print("codec fuzz (seed \(Self.seed)): 5000 inputs, \(accepted) envelopes accepted")
    }

    @Test func aLiveConnectionSurvivesRandomFrames() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let a = try await TestClient.connect(server, alice)
            var fuzzer = FrameFuzzer(seed: Self.seed)
            for _ in 0..<300 { a.socket.send(fuzzer.frame()) }
            a.socket.sendBinary([0xFF, 0x00, 0xFE])
            // Every reply, read raw, parses as a frame with a string type, up to
            // the answer of a final heartbeat (frames are handled in order).
            a.socket.send(#"{"type":"heartbeat","message_id":"fuzz-end"}"#)
            var replies = 0
            while true {
                let raw = try #require(await a.socket.next(timeout: .seconds(10)), "no answer to the final heartbeat")
                let frame = try #require(Frame(raw), "not a JSON object: \(raw.prefix(200))")
                #expect(!frame.type.isEmpty)
                replies += 1
                if frame.ref == "fuzz-end" { break }
            }
            _ = try await a.sendText("still here", to: bob.userID)
            #expect(await a.socket.isClosed == false)
            #expect(try await server.http.request("GET", "/health").status == 200)
            print("live fuzz (seed \(Self.seed)): 300 frames, \(replies) further replies")

            // Before login: any first frame that is not a good login ends with 4401.
            for _ in 0..<10 {
                let bare = try await TestClient.connectBare(server)
                var text = fuzzer.frame()
                if text.contains("\"login\"") { text = "{}" }
                bare.socket.send(text)
                let reply = await bare.nextFrame(timeout: .seconds(2))
                #expect(reply == nil || reply?.type == "error")
                #expect(await bare.socket.waitClosed(timeout: .seconds(2)).code == 4401)
            }
        }
    }

    /// Every route of PROTOCOL.md 8 (and Roost's additions), with a placeholder for path parameters.
    static let routes: [(String, String)] = [
        ("POST", "/api/register"), ("POST", "/api/login"), ("GET", "/api/me"),
        ("POST", "/api/password"), ("GET", "/api/users/{x}"), ("POST", "/api/groups"), ("GET", "/api/groups"),
        ("GET", "/api/groups/{x}"), ("PATCH", "/api/groups/{x}"), ("POST", "/api/groups/{x}/join"),
        ("POST", "/api/groups/{x}/leave"), ("GET", "/api/groups/{x}/members"), ("POST", "/api/groups/{x}/members"),
        ("DELETE", "/api/groups/{x}/members/{x}"), ("GET", "/api/friends"), ("POST", "/api/friends"),
        ("DELETE", "/api/friends/{x}"), ("GET", "/api/presence?user_ids={x}"), ("GET", "/api/messages?conversation={x}"),
        ("GET", "/api/conversations?limit={x}"), ("POST", "/api/files?name={x}"), ("GET", "/api/files/{x}"),
        ("GET", "/api/search?q={x}"), ("GET", "/api/search?q=a&conversation={x}&limit={x}"), ("GET", "/api/blocks"),
        ("POST", "/api/blocks"), ("DELETE", "/api/blocks/{x}"),
        ("GET", "/health"), ("GET", "/stats"), ("GET", "/metrics"), ("GET", "/ws?token={x}"),
        ("POST", "/api/logout"), // last: it revokes the token the others use
    ]

    @Test func randomBodiesAtEveryRouteGiveNo5xx() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            var fuzzer = FrameFuzzer(seed: Self.seed)
            let params = ["1", "0", "-1", "abc", "99999999999999999999", "%00", "g:1", "u:1", "%F0%9F%98%80", alice.userID]
            var statuses: [Int: Int] = [:]
            for (method, template) in Self.routes {
                for round in 0..<6 {
                    let parameter = params.randomElement(using: &fuzzer.rng)!
                    let path = template.replacingOccurrences(of: "{x}", with: parameter)
                    // URLSession sends no body with GET.
                    let body = method == "GET" ? nil : Data(fuzzer.frame().utf8)
                    let token = round % 3 == 0 ? nil : (round % 3 == 1 ? alice.token : "garbage.\(parameter).token")
                    let reply = try await server.http.request(method, path, body: body, token: token,
                                                              headers: method == "GET" ? [:] : ["Content-Type": "application/json"])
                    statuses[reply.status, default: 0] += 1
                    #expect(reply.status > 0 && reply.status < 500, "\(method) \(path): \(reply.status)")
                    if reply.status >= 400 && !path.hasPrefix("/metrics") {
                        #expect(reply.errorCode != nil, "\(method) \(path): error without an error body")
                    }
                }
            }
            #expect(try await server.http.request("GET", "/health").status == 200)
            print("http fuzz (seed \(Self.seed)): \(statuses.sorted { $0.key < $1.key })")
        }
    }
}
