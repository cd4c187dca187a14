import Foundation
import RoostClient
import Testing

extension LiveServer {
    /// `POST /api/groups`; must answer 201. Returns the group object.
    func createGroup(_ owner: RoostHTTP.Account, members: [RoostHTTP.Account], name: String = "team",
                     open: Bool? = nil) async throws -> [String: Any] {
        var body: [String: any Sendable] = ["name": name, "member_ids": members.map(\.userID)]
        if let open { body["open"] = open }
        let reply = try await http.request("POST", "/api/groups", json: body, token: owner.token)
        try #require(reply.status == 201, "create group: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        return reply.json
    }

    func members(_ user: RoostHTTP.Account, group: String) async throws -> RoostHTTP.Response {
        try await http.request("GET", "/api/groups/\(group)/members", token: user.token)
    }
}

extension Frame {
    var memberIDs: [String] { (data["group"] as? [String: Any])?["member_ids"] as? [String] ?? [] }
    func string(_ key: String) -> String? { data[key] as? String }
}

extension TestClient {
    func sendGroupText(_ text: String, group: String, id: String? = nil) async throws -> [String: Any] {
        try await call("send_message", ["group_id": group, "content": ["text": text]], id: id)
    }

    /// The next ephemeral frame of `type` (buffered or arriving), nil if none within `timeout`.
    func ephemeral(_ type: String, timeout: Duration = .seconds(5)) async -> Frame? {
        await waitFor(timeout: timeout) { $0.type == type }
    }

    /// Items of the user's inbox above `since` (a pull, nothing moves).
    func syncedItems(since: Int = 0) async throws -> [[String: Any]] {
        try await sync(since: since, limit: 1000)["items"] as? [[String: Any]] ?? []
    }
}

/// `data` of a stored item frame from a `sync_offline` page.
func itemData(_ item: [String: Any]) -> [String: Any] { item["data"] as? [String: Any] ?? [:] }
