import Crypto
import Foundation
import RoostClient
import Testing

@Suite("Files")
struct FileTests {
    static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func upload(_ server: LiveServer, _ account: RoostHTTP.Account, _ data: Data, name: String? = nil,
                       mime: String = "application/x-test") async throws -> RoostHTTP.Response {
        let query = name.map { "?name=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? ""
        return try await server.http.request("POST", "/api/files" + query, body: data, token: account.token,
                                             headers: ["Content-Type": mime])
    }

    static func storedFiles(_ server: LiveServer) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/files").sorted()
    }

    @Test func roundTripOfAFiveMiBFile() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            var bytes = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
            let data = Data(bytes)
            let created = try await Self.upload(server, alice, data, name: "blob.bin")
            #expect(created.status == 201)
            let id = try #require(created.json["file_id"] as? String)
            #expect(created.json["size"] as? Int == data.count)
            #expect(created.json["mime"] as? String == "application/x-test")
            #expect(created.json["name"] as? String == "blob.bin")
            #expect(created.json["sha256"] as? String == Self.hex(data))
            #expect(try Self.storedFiles(server) == [id], "stored under the server's id, no partial file left")

            let got = try await server.http.request("GET", "/api/files/\(id)", token: alice.token)
            #expect(got.status == 200)
            #expect(got.body == data)
            #expect(got.headers["content-type"] == "application/x-test")
            #expect(got.headers["content-length"] == String(data.count))
            #expect(got.headers["etag"] == "\"\(Self.hex(data))\"")
            #expect(got.headers["content-disposition"]?.contains("filename=\"blob.bin\"") == true)
            let cached = try await server.http.request("GET", "/api/files/\(id)", token: alice.token,
                                                       headers: ["If-None-Match": "\"\(Self.hex(data))\""])
            #expect(cached.status == 304 && cached.body.isEmpty)
        }
    }

    @Test func onlyTheUploaderAndTheConversationMayDownload() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b"), carol = try await server.newUser("c")
            let png = TestImages.png(width: 3, height: 2)
            let created = try await Self.upload(server, alice, png, name: "dot.png", mime: "image/png")
            let id = try #require(created.json["file_id"] as? String)
            #expect(created.json["width"] as? Int == 3 && created.json["height"] as? Int == 2)
            let before = try await server.http.request("GET", "/api/files/\(id)", token: bob.token)
            #expect(before.status == 404 && before.errorCode == "not_found")

            // Someone else's file cannot be sent.
            let c = try await TestClient.connect(server, carol)
            let stolen = try await c.request("send_message", ["to": bob.userID, "content": ["file_id": id]])
            #expect(stolen.errorCode == "not_found")
            #expect(try await c.request("send_message", ["to": bob.userID, "content": ["file_id": "0123"]]).errorCode == "not_found")

            let a = try await TestClient.connect(server, alice)
            let b = try await TestClient.connect(server, bob)
            _ = try await a.call("send_message", ["to": bob.userID, "content": ["file_id": id, "text": "look"]])
            let item = try await b.item(ofType: "message")
            let content = try #require(item.data["content"] as? [String: Any])
            #expect(content["file_id"] as? String == id && content["name"] as? String == "dot.png")
            #expect(content["mime"] as? String == "image/png" && content["size"] as? Int == png.count)
            #expect(content["width"] as? Int == 3 && content["height"] as? Int == 2)

            let after = try await server.http.request("GET", "/api/files/\(id)", token: bob.token)
            #expect(after.status == 200 && after.body == png)
            #expect(try await server.http.request("GET", "/api/files/\(id)", token: carol.token).status == 404)
            #expect(try await server.http.request("GET", "/api/files/../roost.sqlite", token: alice.token).status == 404)
            #expect(try await server.http.request("GET", "/api/files/\(id)").status == 401)
        }
    }

    @Test func uploadsOverTheLimitAreRefusedWithoutAPartialFile() async throws {
        try await LiveServer.run(configure: { $0.maxUploadBytes = 1024 }) { server in
            let alice = try await server.newUser("a")
            let big = try await Self.upload(server, alice, Data(repeating: 7, count: 4096))
            #expect(big.status == 413 && big.errorCode == "too_large")
            // Without a Content-Length the body is cut while streaming.
            let chunk = String(repeating: "x", count: 2000)
            let request = "POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(alice.token)\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n"
            let streamed = try await RawHTTP.exchange(port: server.port, request: request)
            #expect(streamed.status == 413 && streamed.body.contains("too_large"))
            #expect(try Self.storedFiles(server).isEmpty)
            let fits = try await Self.upload(server, alice, Data(repeating: 7, count: 1024))
            #expect(fits.status == 201)
        }
    }

    @Test func namesNeverBecomePathsAndMimeDefaults() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a")
            let created = try await Self.upload(server, alice, Data("hello".utf8), name: "../../etc/passwd")
            let id = try #require(created.json["file_id"] as? String)
            #expect(created.json["name"] as? String == ".._.._etc_passwd")
            #expect(try Self.storedFiles(server) == [id])
            let got = try await server.http.request("GET", "/api/files/\(id)", token: alice.token)
            #expect(got.headers["content-disposition"] == "attachment; filename=\".._.._etc_passwd\"; filename*=UTF-8''.._.._etc_passwd")

            let request = "POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(alice.token)\r\n"
                + "Content-Length: 3\r\nConnection: close\r\n\r\nabc"
            let raw = try await RawHTTP.exchange(port: server.port, request: request)
            #expect(raw.status == 201)
            #expect(raw.body.contains("\"mime\":\"application\\/octet-stream\"") || raw.body.contains("\"mime\":\"application/octet-stream\""))
            #expect(raw.body.contains("\"name\":\"file\""))
        }
    }
}
