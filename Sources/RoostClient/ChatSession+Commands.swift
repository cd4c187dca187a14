import Foundation

/// The terminal client's commands: what a person types, and `--send`.
extension ChatSession {
    // MARK: - Commands

    /// The conversation list, newest first, with unread counts.
    public func listConversations() async throws -> [String] {
        guard let token = account?.token else { throw Failure.connect("not logged in") }
        _ = try await loadGroups()
        let answer = try await http.request("GET", "/api/conversations", token: token)
        let list = answer.json["conversations"] as? [[String: Any]] ?? []
        await learnNames(list.compactMap { ($0["conversation"] as? String).map { String($0.dropFirst(2)) } })
        return list.map { entry in
            let conversation = entry["conversation"] as? String ?? "?"
            let unread = entry["unread"] as? Int ?? 0
            var line = conversationLabel(conversation)
            if unread > 0 { line += " (\(unread) unread)" }
            if let last = entry["last_message"] as? [String: Any], let me = account?.userID {
                line += ": " + render(message: last, me: me)
            }
            return line
        }
    }

    /// `/open name`: the 1:1 conversation with a user.
    public func open(user username: String) async throws {
        let answer = try await http.request("GET", "/api/users/\(username)", token: account?.token)
        guard answer.status == 200, let id = answer.json["user_id"] as? String else {
            throw Failure.usage("no user named \(username)")
        }
        names[id] = username
        target = .user(id: id, name: username)
    }

    /// `/group name`: a group I am in, by name (or id).
    public func open(group: String) async throws {
        let groups = try await loadGroups()
        guard let match = groups.first(where: { $0["name"] as? String == group })
            ?? groups.first(where: { $0["group_id"] as? String == group }),
            let id = match["group_id"] as? String else { throw Failure.usage("you are in no group named \(group)") }
        target = .group(id: id, name: match["name"] as? String ?? id)
    }

    /// Sends `text` to the open conversation; returns the ack.
    @discardableResult
    public func say(_ text: String, messageID: String? = nil) async throws -> String {
        guard let target else { throw Failure.usage("open a conversation first: /open NAME or /group NAME") }
        var data: [String: Any] = ["content": ["text": text]]
        for (key, value) in target.fields { data[key] = value }
        return try await sendAndHold(data, messageID: messageID)
    }

    /// Sends `send_message`, holds the sender's own item and remembers the message.
    @discardableResult
    func sendAndHold(_ data: [String: Any], messageID: String?) async throws -> String {
        let ack = try await request("send_message", data, id: messageID)
        if let seq = ack["seq"] as? Int {
            hold(seq)
            commitAndAck()
        }
        let id = ack["message_id"] as? String ?? ""
        if let target, !id.isEmpty {
            lastOwnMessage[target.conversation] = id
            lastMessage[target.conversation] = id
            recentTexts[id] = (data["content"] as? [String: Any])?["text"] as? String
        }
        return id
    }

    /// Sends one message to `to` (a username, or `#group`) and returns its id.
    public func send(to: String, text: String, messageID: String? = nil) async throws -> String {
        if to.hasPrefix("#") { try await open(group: String(to.dropFirst())) } else { try await open(user: to) }
        return try await say(text, messageID: messageID)
    }

    /// Handles one typed line; false when the user asked to quit.
    public func handle(line raw: String) async -> Bool {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return true }
        do {
            if line.hasPrefix("/") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                switch parts[0] {
                case "/quit", "/exit": return false
                case "/list":
                    let lines = try await listConversations()
                    output(lines.isEmpty ? "* no conversations yet" : lines.map { "  " + $0 }.joined(separator: "\n"))
                case "/open" where !argument.isEmpty:
                    try await open(user: argument)
                    output("* talking to \(target?.label ?? argument)")
                case "/group" where !argument.isEmpty:
                    try await open(group: argument)
                    output("* talking to \(target?.label ?? argument)")
                case "/edit" where !argument.isEmpty:
                    try await editLast(argument)
                case "/reply" where !argument.isEmpty:
                    try await replyToLast(argument)
                case "/react" where !argument.isEmpty:
                    try await reactToLast(argument)
                case "/search" where !argument.isEmpty:
                    let lines = try await search(argument)
                    output(lines.isEmpty ? "* no matches" : lines.map { "  " + $0 }.joined(separator: "\n"))
                case "/help":
                    output(Self.help)
                default:
                    output("* unknown command; /help lists them")
                }
            } else {
                try await say(line)
            }
        } catch {
            output("! \(error)")
        }
        return true
    }

    public static let help = """
        /list            conversations, newest first, with unread counts
        /open NAME       talk to a user
        /group NAME      talk in a group you are in
        /reply TEXT      answer the latest message of the open conversation
        /edit TEXT       replace your latest message in the open conversation
        /react EMOJI     react to the latest message of the open conversation
        /search WORDS    search every conversation you may read
        /quit or Ctrl-D  leave
        anything else is sent to the open conversation
        """

    /// The interactive loop: backlog, conversation list, then lines until the input ends.
    public func run(lines: AsyncStream<String>) async throws {
        try await start()
        if let list = try? await listConversations(), !list.isEmpty {
            output("* conversations:\n" + list.map { "  " + $0 }.joined(separator: "\n"))
        }
        output("* connected as \(options.username). /help for commands, Ctrl-D to quit.")
        for await line in lines {
            if closed { break }
            let goOn = await handle(line: line)
            if !goOn { break }
        }
        stop()
    }
}
