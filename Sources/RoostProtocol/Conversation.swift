/// A conversation id as its holder sees it: `u:<peer>` for 1:1, `g:<group>` for groups.
///
/// The same 1:1 conversation has two spellings (one per side); storage keys it by
/// the unordered user pair, and this type converts between the two views.
public enum Conversation: Sendable, Hashable, CustomStringConvertible {
    case direct(peer: Int64)
    case group(Int64)

    /// Parses `u:<decimal>` or `g:<decimal>`; anything else is nil (`bad_request`).
    public init?(_ text: String) {
        guard text.utf8.count > 2, let id = Int64(text.dropFirst(2)), id > 0 else { return nil }
        if text.hasPrefix("u:") {
            self = .direct(peer: id)
        } else if text.hasPrefix("g:") {
            self = .group(id)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .direct(let peer): "u:\(peer)"
        case .group(let id): "g:\(id)"
        }
    }
}
