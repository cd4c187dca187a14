import Foundation
import NIOSSL

/// The terminal client behind `roost chat`, without the terminal: lines come
/// in as an `AsyncStream<String>`, text goes out through `output`, so tests
/// drive it in-process against a live server.
///
/// It follows PROTOCOL.md like the web client: waits for `welcome`, drops a
/// stored cursor whose `epoch` differs, syncs by cursor (`sync_offline` from
/// the stored `seq`), applies each item once (dedupe by seq), acks
/// cumulatively after the cursor is saved, and sends every line with its own
/// `message_id`.
public actor ChatSession {
    public struct Options: Sendable {
        public var server: String
        public var username: String
        public var password: String
        public var device = "cli"
        /// Small JSON file holding `{epoch, seq}`; nil keeps the cursor in memory only.
        public var stateFile: String?
        public var timeout: Duration = .seconds(10)
        /// How an `https`/`wss` server is verified; nil: the system's trust roots.
        public var tls: TLSConfiguration?

        public init(server: String, username: String, password: String) {
            self.server = server
            self.username = username
            self.password = password
        }
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case login(String)
        case connect(String)
        case request(code: String, message: String)
        case usage(String)

        public var description: String {
            switch self {
            case .login(let m): "login failed: \(m)"
            case .connect(let m): "cannot connect: \(m)"
            case .request(let code, let m): "\(code): \(m)"
            case .usage(let m): m
            }
        }
    }

    struct Cursor: Codable {
        var epoch: String?
        var seq: Int
    }

    enum Target: Sendable {
        case user(id: String, name: String)
        case group(id: String, name: String)

        var conversation: String {
            switch self {
            case .user(let id, _): "u:\(id)"
            case .group(let id, _): "g:\(id)"
            }
        }

        var label: String {
            switch self {
            case .user(_, let name): name
            case .group(_, let name): "#\(name)"
            }
        }

        var fields: [String: String] {
            switch self {
            case .user(let id, _): ["to": id]
            case .group(let id, _): ["group_id": id]
            }
        }
    }

    let options: Options
    let output: @Sendable (String) -> Void
    let http: RoostHTTP
    private(set) var account: RoostHTTP.Account?
    var socket: RoostSocket?
    var reader: Task<Void, Never>?
    var pending: [String: CheckedContinuation<JSONObject, any Error>] = [:]
    var cursor = Cursor(epoch: nil, seq: 0)
    var above = Set<Int>()
    var names: [String: String] = [:]
    var groupNames: [String: String] = [:]
    var target: Target?
    var counter = 0
    var welcomeWaiter: CheckedContinuation<Void, any Error>?
    var welcomeData: [String: Any]?
    var closed = false
    /// Pushed items are applied only after the epoch check; sync fetches any dropped before.
    var ready = false
    /// Texts of recent messages by id, to quote replies and name reacted messages.
    var recentTexts: [String: String] = [:]
    /// Per conversation: its latest message, and my latest one (for `/reply`, `/react`, `/edit`).
    var lastMessage: [String: String] = [:]
    var lastOwnMessage: [String: String] = [:]

    public init(options: Options, output: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.output = output
        self.http = RoostHTTP(baseURL: options.server, tls: options.tls)
    }

    /// The highest seq held (and saved).
    public var heldSeq: Int { cursor.seq }

    // MARK: - Connection

    /// Logs in, connects, checks the epoch and syncs everything above the stored cursor.
    public func start() async throws {
        try await connectOnly()
        let epoch = welcomeData?["epoch"] as? String
        if let stored = cursor.epoch, stored != epoch {
            output("* the server was restored (new epoch): syncing from the start")
            cursor = Cursor(epoch: epoch, seq: 0)
            above = []
        }
        cursor.epoch = epoch
        ready = true
        try await sync()
    }

    /// Logs in and connects (up to `welcome`); items pushed meanwhile are shown but
    /// not acked until `start` or a send commits the cursor.
    public func connectOnly() async throws {
        let account: RoostHTTP.Account
        do {
            account = try await http.account(username: options.username, password: options.password, register: false)
        } catch RoostHTTP.Failure.status(let status, let body) {
            throw Failure.login(status == 401 ? "wrong username or password" : "HTTP \(status) \(body)")
        } catch {
            throw Failure.connect("\(error)")
        }
        self.account = account
        names[account.userID] = account.username
        cursor = loadCursor()
        let socket: RoostSocket
        do {
            socket = try await RoostSocket.connect(url: http.webSocketURL(token: account.token, device: options.device),
                                                   tls: options.tls)
        } catch {
            throw Failure.connect("\(error)")
        }
        self.socket = socket
        reader = Task { [weak self] in
            while let text = await socket.next(timeout: .seconds(3600)) {
                guard let self else { return }
                await self.receive(text)
            }
            await self?.socketClosed(code: await socket.closeCode)
        }
        try await waitWelcome()
    }

    func waitWelcome() async throws {
        if welcomeData != nil { return }
        try await withCheckedThrowingContinuation { welcomeWaiter = $0 }
    }

    /// Pulls every item above the cursor, page by page.
    func sync() async throws {
        var since = cursor.seq
        while true {
            let page = try await request("sync_offline", ["since": since, "limit": 200])
            let items = page["items"] as? [[String: Any]] ?? []
            await learnNames(Self.userIDs(in: items))
            for item in items { apply(item) }
            commitAndAck()
            guard page["has_more"] as? Bool == true, let last = items.last,
                  let seq = (last["data"] as? [String: Any])?["seq"] as? Int else { break }
            since = seq
        }
    }

    public func stop() {
        closed = true
        socket?.close()
        reader?.cancel()
        for (_, waiter) in pending { waiter.resume(throwing: Failure.connect("closed")) }
        pending = [:]
    }

    func socketClosed(code: UInt16?) {
        for (_, waiter) in pending { waiter.resume(throwing: Failure.connect("connection closed")) }
        pending = [:]
        welcomeWaiter?.resume(throwing: Failure.connect("closed before welcome (code \(code.map(String.init) ?? "none"))"))
        welcomeWaiter = nil
        if !closed { output("* disconnected\(code.map { " (close \($0))" } ?? "")") }
        closed = true
    }

    func receive(_ text: String) async {
        guard let frame = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let type = frame["type"] as? String else { return }
        let data = frame["data"] as? [String: Any] ?? [:]
        switch type {
        case "welcome":
            welcomeData = data
            welcomeWaiter?.resume()
            welcomeWaiter = nil
        case "ack", "error":
            guard let ref = data["ref"] as? String, let waiter = pending.removeValue(forKey: ref) else { return }
            if type == "ack" {
                waiter.resume(returning: JSONObject(value: data))
            } else {
                waiter.resume(throwing: Failure.request(code: data["code"] as? String ?? "error",
                                                        message: data["message"] as? String ?? ""))
            }
        case "kicked":
            output("* kicked by the server: \(data["reason"] as? String ?? "?")")
        default:
            if ready, data["seq"] is Int {
                await learnNames(Self.userIDs(in: [frame]))
                apply(frame)
                commitAndAck()
            }
        }
    }

    func request(_ type: String, _ data: [String: Any], id: String? = nil) async throws -> [String: Any] {
        guard let socket, !closed else { throw Failure.connect("not connected") }
        counter += 1
        let id = id ?? "cli-\(UInt64.random(in: 0...UInt64.max))-\(counter)"
        let frame: [String: Any] = ["type": type, "data": data, "message_id": id,
                                    "timestamp": Int(Date().timeIntervalSince1970 * 1000)]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self)
        let answer = try await withCheckedThrowingContinuation { continuation in
            pending[id] = continuation
            socket.send(text)
        }
        return answer.value
    }

    // MARK: - Items

    func isHeld(_ seq: Int) -> Bool { seq <= cursor.seq || above.contains(seq) }

    func hold(_ seq: Int) {
        guard seq > cursor.seq else { return }
        above.insert(seq)
        while above.remove(cursor.seq + 1) != nil { cursor.seq += 1 }
    }

    /// Shows an item once; items already held are dropped.
    func apply(_ frame: [String: Any]) {
        let data = frame["data"] as? [String: Any] ?? [:]
        guard let seq = data["seq"] as? Int, !isHeld(seq) else { return }
        hold(seq)
        guard let type = frame["type"] as? String, let me = account?.userID else { return }
        switch type {
        case "message":
            output(render(message: data, me: me))
            remember(message: data, me: me)
        case "edit":
            show(edit: data)
        case "reaction":
            show(reaction: data)
        case "recall":
            output("* \(name(data["by"] as? String)) recalled a message in \(conversationLabel(data["conversation"] as? String))")
        case "group_event":
            let event = data["event"] as? String ?? "?"
            let group = data["group_id"] as? String ?? "?"
            if let groupName = data["name"] as? String { groupNames[group] = groupName }
            output("* #\(groupNames[group] ?? group): \(name(data["user_id"] as? String)) \(event)")
        default:
            break // read receipts and friend events: held, not printed
        }
    }

    func render(message data: [String: Any], me: String) -> String {
        let from = data["from"] as? String ?? "?"
        let conversation = data["conversation"] as? String ?? ""
        let body: String
        if data["recalled"] as? Bool == true {
            body = "(recalled)"
        } else {
            let content = data["content"] as? [String: Any] ?? [:]
            var parts: [String] = []
            if let file = content["file_id"] as? String {
                parts.append("[file \(content["name"] as? String ?? file)]")
            }
            if let quote = replyQuote(content) { parts.append("(\(quote))") }
            if let text = content["text"] as? String { parts.append(text) }
            if data["edited_at"] != nil { parts.append("(edited)") }
            body = parts.joined(separator: " ")
        }
        if conversation.hasPrefix("g:") {
            return "[\(conversationLabel(conversation)) \(from == me ? "you" : name(from))] \(body)"
        }
        if from == me { return "[you → \(conversationLabel(conversation))] \(body)" }
        return "[\(name(from))] \(body)"
    }

    func name(_ id: String?) -> String {
        guard let id else { return "?" }
        return names[id] ?? "user \(id)"
    }

    func conversationLabel(_ conversation: String?) -> String {
        guard let conversation else { return "?" }
        let id = String(conversation.dropFirst(2))
        return conversation.hasPrefix("g:") ? "#\(groupNames[id] ?? id)" : name(id)
    }

    /// Saves the cursor, then acks it: nothing is acked that a crash could lose.
    func commitAndAck() {
        saveCursor()
        guard let socket, !closed else { return }
        socket.send(#"{"type":"ack","data":{"seq":\#(cursor.seq)}}"#)
    }

    // MARK: - Names (HTTP)

    /// Users an item names (sender, peer, member concerned), to look up before printing.
    static func userIDs(in frames: [[String: Any]]) -> [String] {
        frames.flatMap { frame -> [String] in
            let data = frame["data"] as? [String: Any] ?? [:]
            var ids = ["from", "user_id", "by"].compactMap { data[$0] as? String }
            if let conversation = data["conversation"] as? String, conversation.hasPrefix("u:") {
                ids.append(String(conversation.dropFirst(2)))
            }
            return ids
        }
    }

    /// Learns the usernames of ids seen in the backlog and in the conversation list.
    func learnNames(_ ids: [String]) async {
        let unknown = Set(ids).subtracting(names.keys)
        guard !unknown.isEmpty, let token = account?.token,
              let answer = try? await http.request("GET", "/api/users?ids=\(unknown.sorted().joined(separator: ","))",
                                                   token: token) else { return }
        for user in answer.json["users"] as? [[String: Any]] ?? [] {
            if let id = user["user_id"] as? String, let name = user["username"] as? String { names[id] = name }
        }
    }

    func loadGroups() async throws -> [[String: Any]] {
        let answer = try await http.request("GET", "/api/groups", token: account?.token)
        let groups = answer.json["groups"] as? [[String: Any]] ?? []
        for group in groups {
            if let id = group["group_id"] as? String, let name = group["name"] as? String { groupNames[id] = name }
        }
        return groups
    }

    // MARK: - Cursor file

    func loadCursor() -> Cursor {
        guard let path = options.stateFile, let data = FileManager.default.contents(atPath: path),
              let cursor = try? JSONDecoder().decode(Cursor.self, from: data) else { return Cursor(epoch: nil, seq: 0) }
        return cursor
    }

    func saveCursor() {
        guard let path = options.stateFile, let data = try? JSONEncoder().encode(cursor) else { return }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url, options: .atomic)
    }
}

/// A parsed JSON object handed from the socket reader to a waiting request.
struct JSONObject: @unchecked Sendable {
    let value: [String: Any]
}
