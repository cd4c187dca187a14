import Foundation
import RoostClient
import RoostServer
import Testing

/// The web client is served at `/`, without shadowing the API; `GET /api/users?ids=`.
@Suite("Web client serving")
struct WebClientTests {
    @Test func servesTheClientWithAStrictPolicy() async throws {
        let root = try #require(WebRoot.locate(), "Resources/web must be found from the tests")
        try await LiveServer.run(configure: { $0.webRoot = root }) { server in
            let index = try await server.http.request("GET", "/")
            #expect(index.status == 200)
            #expect(String(decoding: index.body, as: UTF8.self).contains("<script type=\"module\" src=\"app.js\">"))
            #expect(index.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            for module in ["app.js", "client.js", "socket.js", "store.js", "api.js", "ui/chat.js"] {
                let js = try await server.http.request("GET", "/\(module)")
                #expect(js.status == 200, "\(module)")
                #expect(js.headers["content-type"]?.contains("javascript") == true, "\(module): \(js.headers)")
            }
            let css = try await server.http.request("GET", "/style.css")
            #expect(css.headers["content-type"]?.hasPrefix("text/css") == true)

            let missing = try await server.http.request("GET", "/api/nothing-here")
            #expect(missing.status == 404 && missing.errorCode == "not_found")
            #expect(missing.headers["content-security-policy"] == nil)
            let health = try await server.http.request("GET", "/health")
            #expect(health.status == 200)
            #expect(try await server.http.request("GET", "/../Package.swift").status != 200)
        }
    }

    @Test func withoutAWebRootNothingIsServed() async throws {
        try await LiveServer.run { server in
            let root = try await server.http.request("GET", "/")
            #expect(root.status == 404)
        }
    }

    @Test func namesForIDs() async throws {
        try await LiveServer.run { server in
            let alice = try await server.newUser("a"), bob = try await server.newUser("b")
            let reply = try await server.http.request("GET", "/api/users?ids=\(bob.userID),x,999999,\(alice.userID),\(bob.userID)",
                                                      token: alice.token)
            #expect(reply.status == 200)
            let users = reply.json["users"] as? [[String: Any]] ?? []
            #expect(users.map { $0["username"] as? String } == [bob.username, alice.username])
            #expect(try await server.http.request("GET", "/api/users", token: alice.token).status == 400)
            #expect(try await server.http.request("GET", "/api/users?ids=1").status == 401)
        }
    }
}
