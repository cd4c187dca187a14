import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one push request through AsyncHTTPClient and classifies the answer.
/// Redirects are not followed (an endpoint must not bounce the request to an
/// address the policy would refuse) and response bodies are read and dropped.
struct PushSender: Sendable {
    enum Outcome: Equatable, Sendable {
        /// 2xx.
        case delivered
        /// 404 or 410: the endpoint no longer exists; remove it.
        case gone
        /// Anything else (connection error, timeout, refused address, 5xx, 3xx, 4xx): retry later.
        case failed(String)
    }

    let client: HTTPClient
    let timeout: Duration
    let allowPrivateAddresses: Bool

    static func makeClient(timeout: Duration) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .init(timeout), read: .init(timeout)))
        configuration.decompression = .disabled
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ payload: PushPayload, to endpoint: String) async -> Outcome {
        guard let url = URL(string: endpoint), let host = PushEndpointRule.host(of: url) else {
            return .gone
        }
        do {
            if !allowPrivateAddresses {
                try await AddressPolicy.requirePublic(host, port: url.port ?? (url.scheme == "https" ? 443 : 80))
            }
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            // Web Push style servers require a TTL; a day matches the give-up age.
            request.headers.add(name: "TTL", value: "86400")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(payload)))
            let response = try await client.execute(request, timeout: .init(timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300: return .delivered
            case 404, 410: return .gone
            default: return .failed("HTTP \(response.status.code)")
            }
        } catch {
            return .failed(String(describing: error))
        }
    }
}
