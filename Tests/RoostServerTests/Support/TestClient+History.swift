import Foundation
import RoostClient
import Testing

/// Helpers for history, conversations, read and recall tests.
extension TestClient {
    /// Sends `n` texts `prefix0...` to `user`; returns their message ids in order.
    func sendTexts(_ n: Int, to user: String, prefix: String = "m") async throws -> [String] {
        var ids: [String] = []
        for i in 0..<n {
            ids.append(try #require(try await sendText("\(prefix)\(i)", to: user)["message_id"] as? String))
        }
        return ids
    }

    func historyPage(_ conversation: String, before: String? = nil, limit: Int? = nil) async throws -> (ids: [String], records: [[String: Any]], hasMore: Bool) {
        var data: [String: Any] = ["conversation": conversation]
        if let before { data["before"] = before }
        if let limit { data["limit"] = limit }
        let result = try await call("history", data)
        let records = try #require(result["messages"] as? [[String: Any]], "history result: \(result)")
        return (records.compactMap { $0["message_id"] as? String }, records, try #require(result["has_more"] as? Bool))
    }

    /// The next item of `type` (buffered or arriving).
    func item(ofType type: String, timeout: Duration = .seconds(5)) async throws -> Frame {
        try #require(await waitFor(timeout: timeout) { $0.isItem && $0.type == type }, "no \(type) item")
    }
}

extension LiveServer {
    /// `GET /api/conversations` as `account`, entries keyed by conversation id, in order.
    func conversations(_ account: RoostHTTP.Account, limit: Int? = nil) async throws -> [[String: Any]] {
        let path = "/api/conversations" + (limit.map { "?limit=\($0)" } ?? "")
        let reply = try await http.request("GET", path, token: account.token)
        try #require(reply.status == 200, "conversations: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        return try #require(reply.json["conversations"] as? [[String: Any]])
    }

    func unread(_ account: RoostHTTP.Account, in conversation: String) async throws -> Int? {
        try await conversations(account).first { $0["conversation"] as? String == conversation }?["unread"] as? Int
    }
}
