import Foundation

/// The body of a push request: counters only, never message content, so an
/// endpoint run by a third party (UnifiedPush distributor) learns nothing
/// beyond "this device has something new".
public struct PushPayload: Codable, Sendable, Equatable {
    public var userID: String
    public var device: String
    public var headSeq: Int64
    public var unread: Int

    public init(userID: String, device: String, headSeq: Int64, unread: Int) {
        self.userID = userID
        self.device = device
        self.headSeq = headSeq
        self.unread = unread
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case device
        case headSeq = "head_seq"
        case unread
    }
}
