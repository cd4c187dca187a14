import Foundation
import RoostClient
import Testing

@Suite("Accounts over HTTP")
struct AccountTests {
    @Test func registerLoginAndMe() async throws {
        try await LiveServer.run { server in
            let http = server.http
            let created = try await http.request("POST", "/api/register", json: ["username": "alice", "password": "correct horse"])
            #expect(created.status == 201)
            let userID = try #require(created.json["user_id"] as? String)
            #expect(created.json["username"] as? String == "alice")

            let login = try await http.request("POST", "/api/login", json: ["username": "alice", "password": "correct horse"])
            #expect(login.status == 200)
            let token = try #require(login.json["token"] as? String)
            #expect(login.json["user_id"] as? String == userID)
            let expiresAt = try #require(login.json["expires_at"] as? Int)
            #expect(expiresAt > Int(Date().timeIntervalSince1970 * 1000))

            let me = try await http.request("GET", "/api/me", token: token)
            #expect(me.status == 200)
            #expect(me.json["user_id"] as? String == userID)
            #expect(me.json["username"] as? String == "alice")
        }
    }

    @Test func registrationErrors() async throws {
        try await LiveServer.run { server in
            let http = server.http
            for (name, password) in [("ab", "long enough"), ("Upper", "long enough"), ("white space", "long enough"),
                                     (String(repeating: "a", count: 33), "long enough"), ("valid_name", "short")] {
                let reply = try await http.request("POST", "/api/register", json: ["username": name, "password": password])
                #expect(reply.status == 400, "\(name)/\(password)")
                #expect(reply.errorCode == "bad_request")
            }
            let notJSON = try await http.request("POST", "/api/register", body: Data("{nope".utf8))
            #expect(notJSON.status == 400 && notJSON.errorCode == "bad_request")
            let first = try await http.request("POST", "/api/register", json: ["username": "bob", "password": "password1"])
            #expect(first.status == 201)
            let again = try await http.request("POST", "/api/register", json: ["username": "bob", "password": "password2"])
            #expect(again.status == 409 && again.errorCode == "conflict")
        }
    }

    @Test func wrongPasswordAndUnknownUserLookAlike() async throws {
        try await LiveServer.run { server in
            let http = server.http
            _ = try await http.request("POST", "/api/register", json: ["username": "carol", "password": "password1"])
            let wrong = try await http.request("POST", "/api/login", json: ["username": "carol", "password": "password2"])
            let unknown = try await http.request("POST", "/api/login", json: ["username": "nobody", "password": "password2"])
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.body == unknown.body, "the same answer for a wrong password and an unknown user")
        }
    }

    @Test func meNeedsAValidToken() async throws {
        try await LiveServer.run { server in
            let http = server.http
            #expect(try await http.request("GET", "/api/me").status == 401)
            let bad = try await http.request("GET", "/api/me", token: "not.a.token")
            #expect(bad.status == 401 && bad.errorCode == "unauthenticated")
        }
    }

    @Test func healthAndStats() async throws {
        try await LiveServer.run { server in
            let health = try await server.http.request("GET", "/health")
            #expect(health.status == 200 && health.json["status"] as? String == "ok")
            let stats = try await server.http.request("GET", "/stats")
            #expect(stats.status == 200)
            for key in ["connections", "users_online", "messages_stored", "uptime_s"] {
                #expect(stats.json[key] is Int, "\(key) in \(stats.json)")
            }
        }
    }

    @Test func unknownRouteHasAnErrorBody() async throws {
        try await LiveServer.run { server in
            let reply = try await server.http.request("GET", "/api/nothing-here")
            #expect(reply.status == 404 && reply.errorCode == "not_found")
        }
    }
}
