import RoostProtocol

/// The rules of mentions and reactions that need no database, shared by every
/// backend so SQLite and PostgreSQL cannot drift apart (PROTOCOL.md 9).
package enum MessageRules {
    /// `mentions` de-duplicated in order; anything but a participant's user id is `bad_request`.
    package static func checkedMentions(_ mentions: [String], participants: Set<Int64>) throws -> [String] {
        var seen = Set<String>()
        var unique: [String] = []
        for mention in mentions {
            guard let id = Int64(mention), String(id) == mention, participants.contains(id) else {
                throw RoostError.badRequest("mentions must be user ids of the conversation's participants")
            }
            if seen.insert(mention).inserted { unique.append(mention) }
        }
        return unique
    }

    /// A `reply_to` as a stored message id (nil when it cannot name one).
    package static func replyID(_ reply: String) -> Int64? {
        guard let id = Int64(reply), String(id) == reply else { return nil }
        return id
    }

    /// The reaction map after `user` adds or removes `emoji`; nil when nothing
    /// changes (repeating a reaction, removing one that is not there).
    package static func reacting(_ reactions: [String: [String]], user: Int64, emoji: String, remove: Bool,
                                 maxPerUser: Int) throws -> [String: [String]]? {
        var reactions = reactions
        let me = String(user)
        var users = reactions[emoji] ?? []
        if remove {
            guard let index = users.firstIndex(of: me) else { return nil }
            users.remove(at: index)
        } else {
            guard !users.contains(me) else { return nil }
            let mine = reactions.values.reduce(0) { $0 + ($1.contains(me) ? 1 : 0) }
            guard mine < maxPerUser else { throw RoostError.conflict("at most \(maxPerUser) reactions per message") }
            users.append(me)
        }
        reactions[emoji] = users.isEmpty ? nil : users
        return reactions
    }
}

extension MessageContent {
    /// The content as sent with `file`: the client's `name`/`mime` (display
    /// hints) win, size and dimensions are the server's.
    package func filled(with file: StoredFile) -> MessageContent {
        var filled = self
        filled.name = name ?? file.name
        filled.mime = mime ?? file.mime
        filled.size = file.size
        filled.width = file.width
        filled.height = file.height
        return filled
    }
}

/// Membership rules every backend applies the same way.
package enum MembershipRules {
    /// Adding `users` to a group: members may add anyone; a non-member may
    /// only add themselves, to an open group. Anything else is "not a member".
    package static func mayAdd(_ users: [Int64], actor: Int64, to info: GroupInfo) -> Bool {
        if info.members.contains(actor) { return true }
        return users == [actor] && info.open
    }

    /// Who hears of a `read`, and the conversation as each of them names it:
    /// the reader's devices, the 1:1 peer, or a group's other members when
    /// the group has at most `fanOutCap` members.
    package static func readTargets(reader: Int64, conversation: Conversation, groupMembers: [Int64],
                                    fanOutCap: Int) -> [(user: Int64, conversation: Conversation)] {
        var targets: [(user: Int64, conversation: Conversation)] = [(user: reader, conversation: conversation)]
        switch conversation {
        case .direct(let peer) where peer != reader:
            targets.append((user: peer, conversation: .direct(peer: reader)))
        case .direct:
            break
        case .group:
            if groupMembers.count <= fanOutCap {
                targets += groupMembers.filter { $0 != reader }.map { (user: $0, conversation: conversation) }
            }
        }
        return targets
    }
}
