/// Ack results and ephemeral frame payloads (PROTOCOL.md 1 and 5).

/// `login` ack result and `welcome` data.
public struct SessionInfo: Codable, Sendable, Equatable {
    public var userID: String
    public var device: String
    public var headSeq: Int64
    public var ackedSeq: Int64
    public var epoch: String

    public init(userID: String, device: String, headSeq: Int64, ackedSeq: Int64, epoch: String) {
        self.userID = userID
        self.device = device
        self.headSeq = headSeq
        self.ackedSeq = ackedSeq
        self.epoch = epoch
    }

    enum CodingKeys: String, CodingKey {
        case device, epoch
        case userID = "user_id"
        case headSeq = "head_seq"
        case ackedSeq = "acked_seq"
    }
}

public struct HeartbeatResult: Codable, Sendable {
    public var serverTime: Int64
    public init(serverTime: Int64) { self.serverTime = serverTime }
    enum CodingKeys: String, CodingKey { case serverTime = "server_time" }
}

/// The `send_message` ack; stored so a repeated request gets the same answer.
public struct SendResult: Codable, Sendable, Equatable {
    public var messageID: String
    public var seq: Int64
    public var timestamp: Int64

    public init(messageID: String, seq: Int64, timestamp: Int64) {
        self.messageID = messageID
        self.seq = seq
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case seq, timestamp
        case messageID = "message_id"
    }
}

/// An ack that carries only `seq` when the request added an item.
public struct SeqResult: Codable, Sendable {
    public var seq: Int64?
    public init(seq: Int64?) { self.seq = seq }
}

/// `kicked` frame data.
public struct KickedEvent: Codable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
