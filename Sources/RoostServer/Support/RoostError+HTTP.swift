import Foundation
import Hummingbird
import RoostProtocol

extension RoostError: ResponseGenerator {}
extension RoostError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: code.httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody(status: status, HTTPErrorBody(self)).response()
    }
}

/// A JSON response with a status: every route answers through this.
struct JSONBody<Value: Encodable>: ResponseGenerator {
    let status: HTTPResponse.Status
    let value: Value

    init(status: HTTPResponse.Status = .ok, _ value: Value) {
        self.status = status
        self.value = value
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        let data = (try? JSONCodec.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Decodes a JSON body of at most `limit` bytes; anything malformed is `bad_request`.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int = 64 * 1024) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch {
            throw RoostError.tooLarge("request body is larger than \(limit) bytes")
        }
        do {
            return try JSONCodec.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw RoostError.badRequest("request body is not the expected JSON object")
        }
    }
}
