import Foundation
import RoostClient
import RoostServer
import Testing

/// `PUT/GET/DELETE /api/push`: auth, validation, the address policy.
@Suite("Push registrations")
struct PushRegistrationTests {
    @Test func registerListAndDelete() async throws {
        try await LiveServer.run(configure: { $0.push.allowPrivateAddresses = true }) { server in
            let bob = try await server.newUser("b")
            let put = try await server.http.request("PUT", "/api/push",
                                                    json: ["device": "phone", "endpoint": "http://127.0.0.1:9/up?x=1"],
                                                    token: bob.token)
            #expect(put.status == 200)
            #expect(put.json["device"] as? String == "phone")
            #expect(put.json["endpoint"] as? String == "http://127.0.0.1:9/up?x=1")
            // Replacing the endpoint of the same device keeps one registration.
            _ = try await server.http.request("PUT", "/api/push",
                                              json: ["device": "phone", "endpoint": "https://push.example.com/a"],
                                              token: bob.token)
            let list = try await server.http.request("GET", "/api/push", token: bob.token)
            let registrations = try #require(list.json["registrations"] as? [[String: Any]])
            #expect(registrations.count == 1)
            #expect(registrations.first?["endpoint"] as? String == "https://push.example.com/a")

            let deleted = try await server.http.request("DELETE", "/api/push/phone", token: bob.token)
            #expect(deleted.status == 200)
            #expect(deleted.json.isEmpty)
            let after = try await server.http.request("GET", "/api/push", token: bob.token)
            #expect((after.json["registrations"] as? [Any])?.isEmpty == true)
            // Deleting again is idempotent.
            #expect(try await server.http.request("DELETE", "/api/push/phone", token: bob.token).status == 200)
        }
    }

    @Test func needsAToken() async throws {
        try await LiveServer.run { server in
            let put = try await server.http.request("PUT", "/api/push",
                                                    json: ["device": "phone", "endpoint": "https://push.example.com/a"])
            #expect(put.status == 401)
            #expect(put.errorCode == "unauthenticated")
            #expect(try await server.http.request("GET", "/api/push").status == 401)
            #expect(try await server.http.request("DELETE", "/api/push/phone").status == 401)
        }
    }

    @Test(arguments: [
        ["device": "bad device!", "endpoint": "https://push.example.com/a"],
        ["device": "", "endpoint": "https://push.example.com/a"],
        ["device": String(repeating: "d", count: 65), "endpoint": "https://push.example.com/a"],
        ["device": "phone", "endpoint": "ftp://push.example.com/a"],
        ["device": "phone", "endpoint": "/relative/path"],
        ["device": "phone", "endpoint": "not a url"],
        ["device": "phone", "endpoint": "https://"],
        ["device": "phone", "endpoint": ""],
        ["device": "phone"],
    ])
    func rejectsBadInput(_ body: [String: String]) async throws {
        try await LiveServer.run { server in
            let bob = try await server.newUser("b")
            let put = try await server.http.request("PUT", "/api/push", json: body, token: bob.token)
            #expect(put.status == 400, "\(body)")
            #expect(put.errorCode == "bad_request")
            #expect((try await server.http.request("GET", "/api/push", token: bob.token).json["registrations"] as? [Any])?
                .isEmpty == true)
        }
    }

    /// With `push-deny-private` (production): the server must not be made to POST into its own network (SSRF).
    @Test(arguments: ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x", "http://10.1.2.3/x",
                      "http://169.254.169.254/latest", "http://192.168.1.1/x", "http://[fe80::1]/x",
                      "http://[::ffff:127.0.0.1]/x"])
    func refusesPrivateAddressesWhenDenied(_ endpoint: String) async throws {
        try await LiveServer.run(configure: { $0.push.allowPrivateAddresses = false }) { server in
            let bob = try await server.newUser("b")
            let put = try await server.http.request("PUT", "/api/push", json: ["device": "phone", "endpoint": endpoint],
                                                    token: bob.token)
            #expect(put.status == 400, "\(endpoint)")
            #expect(put.errorCode == "bad_request")
        }
    }

    @Test func boundsDevicesPerUser() async throws {
        try await LiveServer.run(configure: { $0.push.maxEndpointsPerUser = 2 }) { server in
            let bob = try await server.newUser("b")
            for device in ["a", "b"] {
                let put = try await server.http.request("PUT", "/api/push",
                                                        json: ["device": device, "endpoint": "https://push.example.com/\(device)"],
                                                        token: bob.token)
                #expect(put.status == 200)
            }
            let third = try await server.http.request("PUT", "/api/push",
                                                      json: ["device": "c", "endpoint": "https://push.example.com/c"],
                                                      token: bob.token)
            #expect(third.status == 409)
            // Replacing an existing device's endpoint is still allowed.
            let again = try await server.http.request("PUT", "/api/push",
                                                      json: ["device": "a", "endpoint": "https://push.example.com/new"],
                                                      token: bob.token)
            #expect(again.status == 200)
        }
    }
}
