import Foundation
import RoostClient
import Testing

/// A server frame, parsed for assertions.
struct Frame: @unchecked Sendable, CustomStringConvertible {
    let raw: String
    let object: [String: Any]

    init?(_ raw: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] else { return nil }
        self.raw = raw
        self.object = object
    }

    var type: String { object["type"] as? String ?? "" }
    var data: [String: Any] { object["data"] as? [String: Any] ?? [:] }
    var messageID: String? { object["message_id"] as? String }
    var ref: String? { data["ref"] as? String }
    /// Inbox items carry `data.seq`; acks of sends carry one too, so they are excluded.
    var isItem: Bool { type != "ack" && type != "error" && data["seq"] is Int }
    var seq: Int { data["seq"] as? Int ?? -1 }
    var text: String? { (data["content"] as? [String: Any])?["text"] as? String }
    var errorCode: String? { type == "error" ? data["code"] as? String : nil }
    var description: String { raw }
}

/// A protocol-speaking test client over a real WebSocket, with a buffer so
/// frames that arrive while a test waits for another are kept in order.
final class TestClient: @unchecked Sendable {
    let socket: RoostSocket
    private var buffer: [Frame] = []
    private var counter = 0
    /// The `welcome` data when the client connected with a token.
    private(set) var welcome: [String: Any] = [:]

    init(socket: RoostSocket) {
        self.socket = socket
    }

    /// Connects with `?token=` and reads the welcome frame.
    static func connect(_ server: LiveServer, _ account: RoostHTTP.Account, device: String? = nil,
                        since: Int64? = nil) async throws -> TestClient {
        let socket = try await RoostSocket.connect(url: server.http.webSocketURL(token: account.token, device: device, since: since))
        let client = TestClient(socket: socket)
        let first = try #require(await client.nextFrame(), "no welcome frame")
        #expect(first.type == "welcome", "first frame must be welcome: \(first)")
        client.welcome = first.data
        return client
    }

    /// Connects without a token (the first frame must be `login`).
    static func connectBare(_ server: LiveServer) async throws -> TestClient {
        TestClient(socket: try await RoostSocket.connect(url: server.http.webSocketURL(token: nil)))
    }

    func nextFrame(timeout: Duration = .seconds(5)) async -> Frame? {
        if !buffer.isEmpty { return buffer.removeFirst() }
        guard let raw = await socket.next(timeout: timeout) else { return nil }
        return Frame(raw)
    }

    func sendFrame(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object)
        socket.send(String(decoding: data, as: UTF8.self))
    }

    func newID() -> String {
        counter += 1
        return "t-\(counter)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Sends a request; returns its id.
    @discardableResult
    func send(_ type: String, _ data: [String: Any] = [:], id: String? = nil) -> String {
        let id = id ?? newID()
        sendFrame(["type": type, "data": data, "message_id": id, "timestamp": Int(Date().timeIntervalSince1970 * 1000)])
        return id
    }

    /// The first frame (buffered or arriving) matching `predicate`.
    func waitFor(timeout: Duration = .seconds(5), _ predicate: (Frame) -> Bool) async -> Frame? {
        if let index = buffer.firstIndex(where: predicate) { return buffer.remove(at: index) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let raw = await socket.next(timeout: deadline - ContinuousClock.now), let frame = Frame(raw) else { continue }
            if predicate(frame) { return frame }
            buffer.append(frame)
        }
        return nil
    }

    /// The `ack` or `error` answering request `id`.
    func response(to id: String, timeout: Duration = .seconds(5)) async throws -> Frame {
        try #require(await waitFor(timeout: timeout) { ($0.type == "ack" || $0.type == "error") && $0.ref == id },
                     "no response to \(id)")
    }

    func request(_ type: String, _ data: [String: Any] = [:], id: String? = nil) async throws -> Frame {
        try await response(to: send(type, data, id: id))
    }

    /// A request that must succeed; returns the ack's data.
    func call(_ type: String, _ data: [String: Any] = [:], id: String? = nil) async throws -> [String: Any] {
        let frame = try await request(type, data, id: id)
        try #require(frame.type == "ack", "expected ack for \(type), got \(frame)")
        return frame.data
    }

    func sendText(_ text: String, to user: String, id: String? = nil) async throws -> [String: Any] {
        try await call("send_message", ["to": user, "content": ["text": text]], id: id)
    }

    func heartbeat() async throws {
        _ = try await call("heartbeat")
    }

    /// Cumulative ack, then a heartbeat round trip so the server has read it.
    func ack(_ seq: Int) async throws {
        sendFrame(["type": "ack", "data": ["seq": seq]])
        try await heartbeat()
    }

    func sync(since: Int? = nil, limit: Int? = nil) async throws -> [String: Any] {
        var data: [String: Any] = [:]
        if let since { data["since"] = since }
        if let limit { data["limit"] = limit }
        return try await call("sync_offline", data)
    }

    /// `n` inbox items, in arrival order (re-pushes of a held seq dropped with `dedupe`).
    func items(_ n: Int, timeout: Duration = .seconds(5), dedupe: Bool = false) async throws -> [Frame] {
        var got: [Frame] = []
        var seen = Set<Int>()
        let deadline = ContinuousClock.now + timeout
        while got.count < n {
            let frame = try #require(await waitFor(timeout: max(deadline - ContinuousClock.now, .zero)) { $0.isItem },
                                     "expected \(n) items, got \(got.count): \(got.map(\.seq))")
            if dedupe && !seen.insert(frame.seq).inserted { continue }
            got.append(frame)
        }
        return got
    }

    /// Every item that arrives within `duration`.
    func itemsWithin(_ duration: Duration) async -> [Frame] {
        var got = buffer.filter(\.isItem)
        buffer.removeAll(where: \.isItem)
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            guard let raw = await socket.next(timeout: deadline - ContinuousClock.now), let frame = Frame(raw) else { continue }
            if frame.isItem { got.append(frame) } else { buffer.append(frame) }
        }
        return got
    }

    func close() {
        socket.close()
    }
}

extension LiveServer {
    /// A fresh user, registered and logged in.
    func newUser(_ prefix: String = "u") async throws -> RoostHTTP.Account {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        return try await http.account(username: name, password: "password-\(name)")
    }
}
