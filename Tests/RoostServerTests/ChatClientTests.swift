import Foundation
import RoostClient
import RoostServer
import Testing

/// Collects what the terminal client prints, for assertions.
final class Transcript: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(contentsOf: line.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// Waits until some line contains `text`.
    func waitFor(_ text: String, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if all.contains(where: { $0.contains(text) }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func count(_ text: String) -> Int { all.filter { $0.contains(text) }.count }
}

/// `roost chat` (ChatSession in-process) against a live server.
@Suite("Terminal client")
struct ChatClientTests {
    func options(_ server: LiveServer, _ account: RoostHTTP.Account, state: String? = nil) -> ChatSession.Options {
        var options = ChatSession.Options(server: "http://127.0.0.1:\(server.port)", username: account.username,
                                          password: "password-\(account.username)")
        options.stateFile = state
        return options
    }

    @Test func sendsAndReceivesLive() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let bobSocket = try await TestClient.connect(server, bob)
            let transcript = Transcript()
            let session = ChatSession(options: options(server, alice)) { transcript.append($0) }
            let (lines, input) = AsyncStream.makeStream(of: String.self)
            let running = Task { try await session.run(lines: lines) }
            #expect(await transcript.waitFor("connected as \(alice.username)"))

            input.yield("/open \(bob.username)")
            #expect(await transcript.waitFor("talking to \(bob.username)"))
            input.yield("hello from the terminal")
            let item = try await bobSocket.items(1)[0]
            #expect(item.text == "hello from the terminal")
            #expect(item.data["from"] as? String == alice.userID)
            try await bobSocket.ack(item.seq)

            _ = try await bobSocket.sendText("hi alice", to: alice.userID)
            #expect(await transcript.waitFor("[\(bob.username)] hi alice"))

            input.yield("/list")
            #expect(await transcript.waitFor("  \(bob.username) (1 unread): [\(bob.username)] hi alice"))
            input.finish() // Ctrl-D
            try await running.value
            #expect(transcript.all.filter { $0.hasPrefix("[\(bob.username)] hi alice") }.count == 1, "printed once live")
        }
    }

    @Test func syncsTheBacklogOnStartOnceByCursorFile() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let state = TempDirectory.make() + "/cursor.json"
            let aliceSocket = try await TestClient.connect(server, alice)
            for n in 1...3 { _ = try await aliceSocket.sendText("while away \(n)", to: bob.userID) }

            let first = Transcript()
            let session = ChatSession(options: options(server, bob, state: state)) { first.append($0) }
            try await session.start()
            #expect(await first.waitFor("while away 3"))
            #expect((1...3).allSatisfy { first.count("[\(alice.username)] while away \($0)") == 1 })
            #expect(await session.heldSeq == 3)
            await session.stop()
            let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any]
            #expect(saved?["seq"] as? Int == 3 && saved?["epoch"] is String)

            _ = try await aliceSocket.sendText("one more", to: bob.userID)
            let second = Transcript()
            let again = ChatSession(options: options(server, bob, state: state)) { second.append($0) }
            try await again.start()
            #expect(await second.waitFor("one more"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(second.count("while away") == 0, "items held before are not shown again: \(second.all)")
            #expect(second.count("one more") == 1)
            await again.stop()
        }
    }

    @Test func oneShotSendAndGroups() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let group = try await server.createGroup(alice, members: [bob], name: "crew")
            let bobSocket = try await TestClient.connect(server, bob)

            let sender = ChatSession(options: options(server, alice)) { _ in }
            try await sender.connectOnly()
            let id = try await sender.send(to: bob.username, text: "scripted", messageID: "script-1")
            let repeated = try await sender.send(to: bob.username, text: "scripted", messageID: "script-1")
            #expect(!id.isEmpty && id == repeated, "a repeated --send with the same id stores one message")
            _ = try await sender.send(to: "#crew", text: "to the crew")
            do {
                _ = try await sender.send(to: "nobody_here", text: "x")
                Issue.record("sending to an unknown user must fail")
            } catch {}
            await sender.stop()

            let items = try await bobSocket.items(3)
            let texts = items.compactMap(\.text)
            #expect(texts == ["scripted", "to the crew"], "\(items)")
            #expect(items.last?.data["group_id"] as? String == group["group_id"] as? String)
        }
    }
}
