import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// The HTTP half of the protocol (register, login and the JSON API) for the
/// terminal client, the load generator and the tests.
///
/// On AsyncHTTPClient (NIO, as the WebSocket side) rather than URLSession:
/// on Linux URLSession has no per-session trust, so a client could not be
/// told to trust a server's private CA (`roost chat --ca-file`).
public struct RoostHTTP: Sendable {
    public let baseURL: String
    /// How an `https` server is verified; nil: the system's trust roots.
    public let tls: TLSConfiguration?
    /// Longest a request may take, body included.
    public var timeout: TimeAmount = .seconds(60)
    /// Largest response body read.
    public var maxResponseBytes = 1 << 30

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

    public init(baseURL: String, tls: TLSConfiguration? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tls = tls
    }

    public func request(_ method: String, _ path: String, json: [String: any Sendable]? = nil, body: Data? = nil,
                        token: String? = nil, headers: [String: String] = [:]) async throws -> Response {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.tlsConfiguration = tls
        if let json {
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
        }
        if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await Self.client.execute(request, timeout: timeout)
        let data = try await response.body.collect(upTo: maxResponseBytes)
        var fields: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            fields[key] = fields[key].map { "\($0), \(value)" } ?? value
        }
        return Response(status: Int(response.status.code), body: Data(buffer: data), headers: fields)
    }

    /// One client for the process, never shut down (as `HTTPClient.shared`),
    /// but failing a request at once when its connection cannot be made:
    /// the shared one retries until the request's deadline, so an untrusted
    /// certificate or a stopped server showed as a minute's hang.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        // The load generator prepares users from many tasks at once.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Trust for an `https` server whose certificate chains to `caFile`
    /// (PEM: a private CA or a self-signed certificate), beside the system's roots.
    public static func trusting(caFile: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
        return tls
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
