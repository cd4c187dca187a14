/// One NOTIFY payload on a node's channel (docs/scaling.md). Inbox heads keep
/// their original form, `user:head,user:head`; the other kinds start with a
/// letter and `|`, which no heads payload contains:
///
/// * `p|user|1|viewer,viewer`: `user` came online (`0`: went offline), for these viewers
/// * `t|user|conversation|viewer,viewer`: `user` is typing in `conversation` (as the viewers see it)
/// * `r|user|device`: `device` of `user` connected through another node (kick it, `replaced`)
///
/// Ids and device names never contain `|` or `,`; conversation keys (`u:1`,
/// `g:5`) neither. PostgreSQL caps a payload at 8000 bytes: senders chunk
/// viewer lists by `maxUsersPerNotice`.
public enum ClusterNotice: Equatable, Sendable {
    case heads([Int64: Int64])
    case presence(user: Int64, online: Bool, viewers: [Int64])
    case typing(user: Int64, conversation: String, viewers: [Int64])
    case replaced(user: Int64, device: String)

    /// Users (20 digits and a comma at most) per payload: far below 8000 bytes.
    static let maxUsersPerNotice = 300

    /// Parses a payload; nil for anything malformed or of an unknown kind
    /// (a newer node's), which the listener ignores.
    public init?(payload: String) {
        let parts = payload.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count > 1 else {
            var heads: [Int64: Int64] = [:]
            for pair in payload.split(separator: ",") {
                let fields = pair.split(separator: ":")
                guard fields.count == 2, let user = Int64(fields[0]), let seq = Int64(fields[1]) else { continue }
                heads[user] = max(heads[user] ?? 0, seq)
            }
            guard !heads.isEmpty else { return nil }
            self = .heads(heads)
            return
        }
        switch (parts[0], parts.count) {
        case ("p", 4):
            guard let user = Int64(parts[1]), parts[2] == "0" || parts[2] == "1" else { return nil }
            self = .presence(user: user, online: parts[2] == "1", viewers: Self.users(parts[3]))
        case ("t", 4):
            guard let user = Int64(parts[1]), !parts[2].isEmpty else { return nil }
            self = .typing(user: user, conversation: String(parts[2]), viewers: Self.users(parts[3]))
        case ("r", 3):
            guard let user = Int64(parts[1]), !parts[2].isEmpty else { return nil }
            self = .replaced(user: user, device: String(parts[2]))
        default:
            return nil
        }
    }

    /// The payload's text before its viewer list (presence and typing), which
    /// the sending query completes per node with the viewers that node holds.
    var viewerPrefix: String? {
        switch self {
        case .presence(let user, let online, _): "p|\(user)|\(online ? 1 : 0)|"
        case .typing(let user, let conversation, _): "t|\(user)|\(conversation)|"
        case .heads, .replaced: nil
        }
    }

    private static func users(_ text: Substring) -> [Int64] {
        text.split(separator: ",").compactMap { Int64($0) }
    }
}
