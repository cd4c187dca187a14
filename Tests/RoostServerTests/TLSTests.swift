import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import RoostClient
import RoostServer
import Testing

/// `--tls-cert/--tls-key`: HTTPS and WSS on the port, with a certificate made
/// by the test and trusted by its clients only.
@Suite("TLS")
struct TLSTests {
    @Test func httpsAndWSSRoundTrip() async throws {
        try await Self.withTLSServer { server, certificate, _ in
            let tls = try certificate.clientTLS()
            let base = "https://127.0.0.1:\(server.port)"
            let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                    configuration: .init(tlsConfiguration: tls))
            do {
                let alice = try await Self.account(client, base, "alice_tls")
                let bob = try await Self.account(client, base, "bob_tls")
                var me = HTTPClientRequest(url: base + "/api/me")
                me.headers.add(name: "Authorization", value: "Bearer \(alice.token)")
                let meResponse = try await client.execute(me, timeout: .seconds(5))
                #expect(meResponse.status.code == 200)
                _ = try await meResponse.body.collect(upTo: 1 << 16)
                try await client.shutdown()

                try await Self.withTimeout(.seconds(15)) {
                    try await Self.wssRoundTrip(port: server.port, tls: tls, alice: alice, bob: bob)
                }
            } catch {
                try? await client.shutdown()
                throw error
            }

            // Plain HTTP on the TLS port gets no answer.
            let plain = try? await RoostHTTP(baseURL: "http://127.0.0.1:\(server.port)").request("GET", "/health")
            #expect(plain == nil || plain?.status != 200)
        }
    }

    @Test func aClientThatDoesNotTrustTheCertificateIsRefused() async throws {
        try await Self.withTLSServer { server, certificate, directory in
            let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                    configuration: .init(tlsConfiguration: .makeClientConfiguration()))
            // (The client retries the handshake until its deadline, hence the short one.)
            let response = try? await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/health"),
                                                     timeout: .seconds(1))
            #expect(response == nil, "the system trust store does not know a throwaway certificate")
            try await client.shutdown()
        }
    }

    /// `roost chat --ca-file`: the terminal client logs in over HTTPS and
    /// sends over WSS to a server whose certificate only that file vouches
    /// for; without the file it is refused.
    @Test func theTerminalClientTrustsACAFile() async throws {
        try await Self.withTLSServer { server, certificate, directory in
            // A name, not 127.0.0.1: NIO sends a name for SNI, and the
            // certificate covers "localhost" too.
            let base = "https://localhost:\(server.port)"
            let http = RoostHTTP(baseURL: base, tls: try RoostHTTP.trusting(caFile: certificate.certificatePath))
            let alice = try await http.account(username: "alice_ca", password: "password-alice_ca")
            let bob = try await http.account(username: "bob_ca", password: "password-bob_ca")
            let send = ["chat", "--server", base, "--user", "alice_ca", "--send", "bob_ca", "over tls"]
            let environment = ["ROOST_PASSWORD": "password-alice_ca"]

            let refused = try await RoostBinary.run(send, environment: environment, timeout: .seconds(30))
            #expect(refused.status != 0)

            let sent = try await RoostBinary.run(send + ["--ca-file", certificate.certificatePath],
                                                 environment: environment, timeout: .seconds(30))
            #expect(sent.status == 0, "\(sent.stderr)")
            let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let history = try await http.request("GET", "/api/messages?conversation=u:\(alice.userID)", token: bob.token)
            let records = history.json["messages"] as? [[String: Any]] ?? []
            #expect(records.map { ($0["content"] as? [String: Any])?["text"] as? String } == ["over tls"],
                    "\(history.json)")
            #expect(records.first?["message_id"] as? String == id)

            let missing = try await RoostBinary.run(send + ["--ca-file", directory + "/none.pem"],
                                                    environment: environment, timeout: .seconds(30))
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("cannot read a certificate from"), "\(missing.stderr)")

            let byAddress = try await RoostBinary.run(
                ["chat", "--server", "https://127.0.0.1:\(server.port)", "--user", "alice_ca", "--send", "bob_ca", "x",
                 "--ca-file", certificate.certificatePath], environment: environment, timeout: .seconds(30))
            #expect(byAddress.status != 0)
            #expect(byAddress.stderr.contains("needs the host name its certificate names"), "\(byAddress.stderr)")
        }
    }

    @Test func unreadableCertificateStopsTheStart() async throws {
        var settings = LiveServer.testSettings(dataDirectory: TempDirectory.make())
        settings.tls = TLSFiles(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
        await #expect(throws: TLSFiles.Failure.self) { _ = try await buildApplication(settings) }
    }

    @Test func tlsFlagsGoTogether() async throws {
        let result = try await RoostBinary.run(["serve", "--tls-cert", "/tmp/cert.pem", "--data", TempDirectory.make()])
        #expect(result.status != 0)
        #expect(result.stderr.contains("tls-cert and tls-key go together"), "\(result.stderr)")
    }

    // MARK: Helpers

    /// A live server serving HTTPS and WSS with a throwaway certificate.
    static func withTLSServer(
        _ body: @Sendable (LiveServer, SelfSignedCertificate, _ directory: String) async throws -> Void
    ) async throws {
        let directory = TempDirectory.make()
        let certificate = try SelfSignedCertificate.make(in: directory)
        try await LiveServer.run(configure: { settings in
            settings.tls = TLSFiles(certificatePath: certificate.certificatePath, keyPath: certificate.keyPath)
        }) { server in
            try await body(server, certificate, directory)
        }
    }

    struct Account: Sendable {
        let userID: String
        let token: String
    }

    static func account(_ client: HTTPClient, _ base: String, _ name: String) async throws -> Account {
        let credentials = #"{"username":"\#(name)","password":"password-\#(name)"}"#
        var register = HTTPClientRequest(url: base + "/api/register")
        register.method = .POST
        register.headers.add(name: "Content-Type", value: "application/json")
        register.body = .bytes(ByteBuffer(string: credentials))
        let created = try await client.execute(register, timeout: .seconds(5))
        #expect(created.status.code == 201)
        _ = try await created.body.collect(upTo: 1 << 16)
        var login = HTTPClientRequest(url: base + "/api/login")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/json")
        login.body = .bytes(ByteBuffer(string: credentials))
        let response = try await client.execute(login, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        return Account(userID: try #require(json["user_id"] as? String), token: try #require(json["token"] as? String))
    }

    /// Bob listens over WSS (token in the URL); Alice logs in over WSS with a
    /// `login` frame and sends him a message; Bob receives the item.
    static func wssRoundTrip(port: Int, tls: TLSConfiguration, alice: Account,
                             bob: Account) async throws {
        let logger: Logger = {
            var logger = Logger(label: "tls.test")
            logger.logLevel = .critical
            return logger
        }()
        // NIOSSL sends no SNI for an IP address: name the host the certificate covers.
        let configuration = WebSocketClientConfiguration(sniHostname: "localhost")
        let (bobReady, ready) = AsyncStream.makeStream(of: Void.self)
        let (bobGot, got) = AsyncStream.makeStream(of: String.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer {
                    ready.finish()
                    got.finish()
                }
                try await WebSocketClient.connect(
                    url: "wss://127.0.0.1:\(port)/ws?token=\(bob.token)&device=laptop", configuration: configuration,
                    tlsConfiguration: tls, logger: logger
                ) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let frame = Frame(text) else { continue }
                        if frame.type == "welcome" { ready.yield() }
                        if frame.type == "message" {
                            got.yield(text)
                            try await outbound.close(.normalClosure, reason: nil)
                            return
                        }
                    }
                }
            }
            for await _ in bobReady { break }
            try await WebSocketClient.connect(url: "wss://127.0.0.1:\(port)/ws", configuration: configuration,
                                              tlsConfiguration: tls, logger: logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                func response(to ref: String) async throws -> Frame? {
                    while let message = try await messages.next() {
                        if case .text(let text) = message, let frame = Frame(text), frame.ref == ref { return frame }
                    }
                    return nil
                }
                try await outbound.write(.text(#"{"type":"login","message_id":"l1","data":{"token":"\#(alice.token)"}}"#))
                let login = try await response(to: "l1")
                #expect(login?.type == "ack")
                #expect(login?.data["user_id"] as? String == alice.userID)
                try await outbound.write(.text(
                    #"{"type":"send_message","message_id":"s1","data":{"to":"\#(bob.userID)","content":{"text":"over tls"}}}"#))
                let sent = try await response(to: "s1")
                #expect(sent?.type == "ack" && sent?.data["seq"] as? Int == 1)
                try await outbound.close(.normalClosure, reason: nil)
            }
            var received: String?
            for await text in bobGot {
                received = text
                break
            }
            let frame = try #require(received.flatMap(Frame.init), "bob received nothing over WSS")
            #expect(frame.text == "over tls")
            #expect(frame.data["from"] as? String == alice.userID)
            try await group.waitForAll()
        }
    }

    static func withTimeout(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            try #require(finished, "timed out after \(limit)")
        }
    }
}
