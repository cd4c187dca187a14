import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP half of the protocol (register, login and the JSON API) for the
/// terminal client, the load generator and the tests.
public struct RoostHTTP: Sendable {
    public let baseURL: String

    public struct Response: Sendable {
        public let status: Int
        public let body: Data
        public let headers: [String: String]

        /// The body as a JSON object (empty if it is not one).
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        /// `error.code` of an HTTP error body.
        public var errorCode: String? {
            (json["error"] as? [String: Any])?["code"] as? String
        }
    }

    /// An account a client acts as.
    public struct Account: Sendable {
        public let userID: String
        public let username: String
        public let token: String
    }

    public enum Failure: Error, Sendable {
        case status(Int, String)
    }

    public init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    public func request(_ method: String, _ path: String, json: [String: any Sendable]? = nil, body: Data? = nil,
                        token: String? = nil, headers: [String: String] = [:]) async throws -> Response {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return Response(status: http?.statusCode ?? 0, body: data, headers: fields)
    }

    /// Registers (if needed) and logs in.
    public func account(username: String, password: String, register: Bool = true) async throws -> Account {
        if register {
            let created = try await request("POST", "/api/register", json: ["username": username, "password": password])
            guard created.status == 201 || created.status == 409 else {
                throw Failure.status(created.status, String(decoding: created.body, as: UTF8.self))
            }
        }
        let login = try await request("POST", "/api/login", json: ["username": username, "password": password])
        guard login.status == 200, let token = login.json["token"] as? String,
              let userID = login.json["user_id"] as? String else {
            throw Failure.status(login.status, String(decoding: login.body, as: UTF8.self))
        }
        return Account(userID: userID, username: username, token: token)
    }

    /// `ws://` URL of the WebSocket endpoint for `token` and `device`.
    public func webSocketURL(token: String?, device: String? = nil, since: Int64? = nil) -> String {
        var url = baseURL.replacingOccurrences(of: "http://", with: "ws://").replacingOccurrences(of: "https://", with: "wss://") + "/ws"
        var query: [String] = []
        if let token { query.append("token=\(token)") }
        if let device { query.append("device=\(device)") }
        if let since { query.append("since=\(since)") }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        return url
    }
}
