import Foundation

/// Edits, replies, reactions and search in the terminal client (PROTOCOL.md 9):
/// what it prints for `edit` and `reaction` items and for replies, and the
/// `/edit`, `/reply`, `/react` and `/search` commands.
extension ChatSession {
    /// Remembers a message's text (for quoting replies) and who wrote the
    /// conversation's latest message (the default target of `/reply`, `/react`).
    func remember(message data: [String: Any], me: String) {
        guard let id = data["message_id"] as? String else { return }
        let conversation = data["conversation"] as? String ?? ""
        if let text = (data["content"] as? [String: Any])?["text"] as? String {
            if recentTexts.count >= Self.rememberedTexts { recentTexts.removeAll(keepingCapacity: true) }
            recentTexts[id] = text
        }
        lastMessage[conversation] = id
        if data["from"] as? String == me { lastOwnMessage[conversation] = id }
    }

    static let rememberedTexts = 2_000

    /// "↪ quoted text" for a message that answers another, else nil.
    func replyQuote(_ content: [String: Any]) -> String? {
        guard let reply = content["reply_to"] as? String else { return nil }
        let quoted = recentTexts[reply].map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 } ?? "a message"
        return "↪ \(quoted)"
    }

    func show(edit data: [String: Any]) {
        let text = (data["content"] as? [String: Any])?["text"] as? String
        if let id = data["message_id"] as? String, let text { recentTexts[id] = text }
        output("* \(name(data["by"] as? String)) edited a message in \(conversationLabel(data["conversation"] as? String)): \(text ?? "(no text)")")
    }

    func show(reaction data: [String: Any]) {
        let verb = data["removed"] as? Bool == true ? "took back" : "reacted"
        let about = (data["message_id"] as? String).flatMap { recentTexts[$0] }.map { " to \"\($0.prefix(30))\"" } ?? ""
        output("* \(name(data["user_id"] as? String)) \(verb) \(data["emoji"] as? String ?? "?")\(about)")
    }

    // MARK: - Commands

    /// `/edit TEXT`: replaces my latest message in the open conversation.
    func editLast(_ text: String) async throws {
        guard let target else { throw Failure.usage("open a conversation first") }
        guard let id = lastOwnMessage[target.conversation] else { throw Failure.usage("nothing of yours to edit here") }
        let ack = try await request("edit", ["message_id": id, "content": ["text": text]])
        if let seq = ack["seq"] as? Int {
            hold(seq)
            commitAndAck()
        }
        recentTexts[id] = text
    }

    /// `/reply TEXT`: answers the latest message of the open conversation.
    func replyToLast(_ text: String, messageID: String? = nil) async throws {
        guard let target else { throw Failure.usage("open a conversation first") }
        guard let id = lastMessage[target.conversation] else { throw Failure.usage("no message to reply to here") }
        var data: [String: Any] = ["content": ["text": text, "reply_to": id]]
        for (key, value) in target.fields { data[key] = value }
        try await sendAndHold(data, messageID: messageID)
    }

    /// `/react EMOJI`: reacts to the latest message of the open conversation.
    func reactToLast(_ emoji: String) async throws {
        guard let target else { throw Failure.usage("open a conversation first") }
        guard let id = lastMessage[target.conversation] else { throw Failure.usage("no message to react to here") }
        let ack = try await request("react", ["message_id": id, "emoji": emoji])
        if let seq = ack["seq"] as? Int {
            hold(seq)
            commitAndAck()
        }
    }

    /// `/search WORDS`: matches in every conversation I may read, best first.
    func search(_ words: String) async throws -> [String] {
        guard let token = account?.token else { throw Failure.connect("not logged in") }
        let query = words.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? words
        let answer = try await http.request("GET", "/api/search?q=\(query)", token: token)
        guard answer.status == 200 else { throw Failure.request(code: "\(answer.status)", message: "search failed") }
        let hits = answer.json["messages"] as? [[String: Any]] ?? []
        return hits.map { hit in
            "\(conversationLabel(hit["conversation"] as? String)) · \(name(hit["from"] as? String)): \(hit["snippet"] as? String ?? "")"
        }
    }
}
