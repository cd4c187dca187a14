/// Wire shapes of groups, friends and presence (PROTOCOL.md 4, 5, 6, 8).

/// A group as every route and ack shows it: `{group_id, name, owner_id, member_ids, open, created_at}`.
public struct GroupBody: Codable, Sendable, Equatable {
    public var groupID: String
    public var name: String
    public var ownerID: String
    public var memberIDs: [String]
    public var open: Bool
    public var createdAt: Int64

    public init(groupID: String, name: String, ownerID: String, memberIDs: [String], open: Bool, createdAt: Int64) {
        self.groupID = groupID
        self.name = name
        self.ownerID = ownerID
        self.memberIDs = memberIDs
        self.open = open
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case name, open
        case groupID = "group_id"
        case ownerID = "owner_id"
        case memberIDs = "member_ids"
        case createdAt = "created_at"
    }
}

/// `data` of a `group_event` item (without `seq`).
public struct GroupEventPayload: Codable, Sendable, Equatable {
    public var groupID: String
    public var event: String
    public var userID: String
    public var by: String
    /// On `created` and `renamed` only.
    public var name: String?

    public init(groupID: String, event: String, userID: String, by: String, name: String? = nil) {
        self.groupID = groupID
        self.event = event
        self.userID = userID
        self.by = by
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case event, by, name
        case groupID = "group_id"
        case userID = "user_id"
    }
}

/// `data` of a `friend_event` item (without `seq`): `user_id` is the other side.
public struct FriendEventPayload: Codable, Sendable, Equatable {
    public var userID: String
    public var event: String
    public var by: String

    public init(userID: String, event: String, by: String) {
        self.userID = userID
        self.event = event
        self.by = by
    }

    enum CodingKeys: String, CodingKey {
        case event, by
        case userID = "user_id"
    }
}

/// The `join_group` / `leave_group` ack: the group after the change, and the
/// requester's own item when one was added.
public struct GroupAckResult: Encodable, Sendable {
    public var group: GroupBody
    public var seq: Int64?

    public init(group: GroupBody, seq: Int64?) {
        self.group = group
        self.seq = seq
    }
}

/// `presence` frame data, and one entry of `GET /api/presence`.
public struct PresenceStatus: Codable, Sendable, Equatable {
    public var userID: String
    public var status: String

    public init(userID: String, online: Bool) {
        self.userID = userID
        self.status = online ? "online" : "offline"
    }

    enum CodingKeys: String, CodingKey {
        case status
        case userID = "user_id"
    }
}

/// `typing` frame data.
public struct TypingEvent: Codable, Sendable, Equatable {
    public var from: String
    public var conversation: String

    public init(from: String, conversation: String) {
        self.from = from
        self.conversation = conversation
    }
}
