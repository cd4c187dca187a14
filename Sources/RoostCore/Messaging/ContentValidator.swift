import RoostProtocol

/// The rules of `content` (PROTOCOL.md 5), shared by send and, later, edit.
public struct ContentValidator: Sendable {
    public let maxTextBytes: Int

    public init(maxTextBytes: Int) {
        self.maxTextBytes = maxTextBytes
    }

    public func validate(_ content: MessageContent) throws(RoostError) -> MessageContent {
        var content = content
        if let text = content.text, text.isEmpty { content.text = nil }
        guard content.text != nil || content.fileID != nil else {
            throw .badRequest("content needs a non-empty text or a file_id")
        }
        if let text = content.text, text.utf8.count > maxTextBytes {
            throw .tooLarge("text is longer than \(maxTextBytes) bytes")
        }
        // Display hints of a file message; bounded so they cannot stand in for text.
        try Self.checkHint("name", content.name)
        try Self.checkHint("mime", content.mime)
        return content
    }

    private static func checkHint(_ field: String, _ value: String?) throws(RoostError) {
        if let value, value.utf8.count > maxHintBytes {
            throw .badRequest("content.\(field) is longer than \(maxHintBytes) bytes")
        }
    }

    public static let maxHintBytes = 255
}

/// Turns a wire user id into a stored one; anything unparsable names no user.
public func parseUserID(_ text: String) -> Int64? {
    guard let id = Int64(text), id > 0, String(id) == text else { return nil }
    return id
}
