/// The storage key of a conversation, shared by every backend: `d:<low>:<high>`
/// for two users (one user twice for notes to self), `g:<id>` for a group.
package enum ConversationKeys {
    package enum Parsed: Equatable {
        case direct(Int64, Int64)
        case group(Int64)
    }

    package static func direct(_ a: Int64, _ b: Int64) -> String {
        "d:\(min(a, b)):\(max(a, b))"
    }

    package static func group(_ id: Int64) -> String {
        "g:\(id)"
    }

    package static func parse(_ key: String) -> Parsed? {
        let parts = key.split(separator: ":")
        if parts.first == "d", parts.count == 3, let a = Int64(parts[1]), let b = Int64(parts[2]) {
            return .direct(a, b)
        }
        if parts.first == "g", parts.count == 2, let group = Int64(parts[1]) { return .group(group) }
        return nil
    }
}

/// The words of a search query as every backend reads them: split at
/// whitespace and control characters (NUL would end a C string early), at
/// most 32. Each backend then requires all of them, as plain words.
package enum SearchWords {
    package static func split(_ query: String) -> [Substring] {
        Array(query.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
            .prefix(32))
    }
}
