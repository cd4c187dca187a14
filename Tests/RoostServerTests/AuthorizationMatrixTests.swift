import Foundation
import RoostClient
import Testing

/// Every HTTP route and WebSocket request type against {owner, member,
/// non-member, unauthenticated}, each on a fresh group, plus: a group that
/// does not exist answers exactly like one the caller is not in.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    enum Role: CaseIterable, CustomStringConvertible {
        case owner, member, nonMember, unauthenticated
        var description: String { "\(self)" }
    }

    /// A group: alice owns it, bob and dave are members, carol is not; dave
    /// sent one message carrying a file he uploaded.
    struct Fixture {
        let alice, bob, carol, dave: RoostHTTP.Account
        let group: String
        let message: String
        let file: String

        func account(_ role: Role) -> RoostHTTP.Account? {
            switch role {
            case .owner: alice
            case .member: bob
            case .nonMember: carol
            case .unauthenticated: nil
            }
        }
    }

    static func fixture(_ server: LiveServer) async throws -> Fixture {
        let alice = try await server.newUser("a"), bob = try await server.newUser("b")
        let carol = try await server.newUser("c"), dave = try await server.newUser("d")
        let group = try #require(try await server.createGroup(alice, members: [bob, dave])["group_id"] as? String)
        let file = try #require(try await FileTests.upload(server, dave, Data("x".utf8)).json["file_id"] as? String)
        let ws = try await TestClient.connect(server, dave)
        let ack = try await ws.call("send_message", ["group_id": group, "content": ["text": "hi", "file_id": file]])
        ws.close()
        return Fixture(alice: alice, bob: bob, carol: carol, dave: dave, group: group,
                       message: try #require(ack["message_id"] as? String), file: file)
    }

    struct HTTPCase: Sendable {
        let method: String
        let path: @Sendable (Fixture) -> String
        var body: @Sendable (Fixture) -> [String: any Sendable]? = { _ in nil }
        /// Statuses for owner, member, non-member, unauthenticated.
        let expected: [Int]
    }

    static let httpCases: [HTTPCase] = [
        HTTPCase(method: "GET", path: { _ in "/api/me" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { f in "/api/users/\(f.dave.username)" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { _ in "/api/groups" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { f in "/api/groups/\(f.group)" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "PATCH", path: { f in "/api/groups/\(f.group)" }, body: { _ in ["name": "new"] },
                 expected: [200, 403, 403, 401]),
        HTTPCase(method: "POST", path: { f in "/api/groups/\(f.group)/join" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "POST", path: { f in "/api/groups/\(f.group)/leave" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "GET", path: { f in "/api/groups/\(f.group)/members" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "POST", path: { f in "/api/groups/\(f.group)/members" }, body: { f in ["user_ids": [f.carol.userID]] },
                 expected: [200, 200, 403, 401]),
        HTTPCase(method: "DELETE", path: { f in "/api/groups/\(f.group)/members/\(f.dave.userID)" }, expected: [200, 403, 403, 401]),
        HTTPCase(method: "GET", path: { f in "/api/messages?conversation=g:\(f.group)" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "GET", path: { _ in "/api/conversations" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { f in "/api/files/\(f.file)" }, expected: [200, 200, 404, 401]),
        HTTPCase(method: "GET", path: { _ in "/api/friends" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/friends" }, body: { f in ["user_id": f.dave.userID] }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "DELETE", path: { f in "/api/friends/\(f.dave.userID)" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { f in "/api/presence?user_ids=\(f.dave.userID)" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/groups" }, body: { _ in ["name": "mine"] }, expected: [201, 201, 201, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/files" }, body: { _ in [:] }, expected: [201, 201, 201, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/password" }, body: { _ in ["old_password": "wrong-password", "new_password": "whatever-1"] },
                 expected: [403, 403, 403, 401]),
        HTTPCase(method: "GET", path: { f in "/api/search?q=hi&conversation=g:\(f.group)" }, expected: [200, 200, 403, 401]),
        HTTPCase(method: "GET", path: { _ in "/api/search?q=hi" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "GET", path: { _ in "/api/blocks" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/blocks" }, body: { f in ["user_id": f.dave.userID] }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "DELETE", path: { f in "/api/blocks/\(f.dave.userID)" }, expected: [200, 200, 200, 401]),
        HTTPCase(method: "POST", path: { _ in "/api/logout" }, expected: [200, 200, 200, 401]),
    ]

    @Test func everyHTTPRouteByRole() async throws {
        try await LiveServer.run { server in
            var table: [String] = []
            for test in Self.httpCases {
                var got: [Int] = []
                var label = ""
                for role in Role.allCases {
                    let f = try await Self.fixture(server)
                    label = "\(test.method) " + test.path(f)
                        .replacingOccurrences(of: f.group, with: "{group}").replacingOccurrences(of: f.file, with: "{file}")
                    let reply = try await server.http.request(test.method, test.path(f), json: test.body(f),
                                                              token: f.account(role)?.token)
                    got.append(reply.status)
                }
                #expect(got == test.expected, "\(label): got \(got)")
                table.append("\(label): \(got)")
            }
            print("authorization matrix (owner, member, non-member, unauthenticated):\n" + table.joined(separator: "\n"))
        }
    }

    @Test func aMissingGroupAnswersLikeOneYouAreNotIn() async throws {
        try await LiveServer.run { server in
            let f = try await Self.fixture(server)
            let routes: [(String, String, [String: any Sendable]?)] = [
                ("GET", "/api/groups/{g}", nil), ("PATCH", "/api/groups/{g}", ["name": "x"]),
                ("POST", "/api/groups/{g}/join", nil), ("POST", "/api/groups/{g}/leave", nil),
                ("GET", "/api/groups/{g}/members", nil), ("POST", "/api/groups/{g}/members", ["user_ids": [f.carol.userID]]),
                ("DELETE", "/api/groups/{g}/members/\(f.dave.userID)", nil), ("GET", "/api/messages?conversation=g:{g}", nil),
                ("GET", "/api/search?q=hi&conversation=g:{g}", nil),
            ]
            for (method, template, body) in routes {
                let existing = try await server.http.request(method, template.replacingOccurrences(of: "{g}", with: f.group),
                                                             json: body, token: f.carol.token)
                for missing in template.contains("g:") ? ["999999999"] : ["999999999", "0", "nope"] {
                    let reply = try await server.http.request(method, template.replacingOccurrences(of: "{g}", with: missing),
                                                              json: body, token: f.carol.token)
                    #expect(reply.status == existing.status && reply.body == existing.body, "\(method) \(template) \(missing)")
                }
            }
            let file = try await server.http.request("GET", "/api/files/\(f.file)", token: f.carol.token)
            let none = try await server.http.request("GET", "/api/files/0123456789abcdef0123456789abcdef", token: f.carol.token)
            #expect(file.status == 404 && file.body == none.body)
        }
    }

    struct FrameCase: Sendable {
        let type: String
        let data: @Sendable (Fixture) -> [String: Any]
        /// `ack` or an error code for owner, member, non-member.
        let expected: [String]
    }

    static let frameCases: [FrameCase] = [
        FrameCase(type: "send_message", data: { f in ["group_id": f.group, "content": ["text": "x"]] },
                  expected: ["ack", "ack", "forbidden"]),
        FrameCase(type: "history", data: { f in ["conversation": "g:\(f.group)"] }, expected: ["ack", "ack", "forbidden"]),
        FrameCase(type: "read", data: { f in ["conversation": "g:\(f.group)", "up_to": f.message] }, expected: ["ack", "ack", "forbidden"]),
        FrameCase(type: "recall", data: { f in ["message_id": f.message] }, expected: ["ack", "forbidden", "forbidden"]),
        FrameCase(type: "join_group", data: { f in ["group_id": f.group] }, expected: ["ack", "ack", "forbidden"]),
        FrameCase(type: "leave_group", data: { f in ["group_id": f.group] }, expected: ["ack", "ack", "forbidden"]),
        // dave sent the message: nobody else may edit it, every member may react.
        FrameCase(type: "edit", data: { f in ["message_id": f.message, "content": ["text": "x"]] },
                  expected: ["forbidden", "forbidden", "forbidden"]),
        FrameCase(type: "react", data: { f in ["message_id": f.message, "emoji": "👍"] }, expected: ["ack", "ack", "forbidden"]),
        FrameCase(type: "sync_offline", data: { _ in [:] }, expected: ["ack", "ack", "ack"]),
        FrameCase(type: "heartbeat", data: { _ in [:] }, expected: ["ack", "ack", "ack"]),
    ]

    @Test func everyRequestTypeByRole() async throws {
        try await LiveServer.run { server in
            for test in Self.frameCases {
                var got: [String] = []
                for role in [Role.owner, .member, .nonMember] {
                    let f = try await Self.fixture(server)
                    let ws = try await TestClient.connect(server, try #require(f.account(role)))
                    let reply = try await ws.request(test.type, test.data(f))
                    got.append(reply.errorCode ?? reply.type)
                    ws.close()
                }
                #expect(got == test.expected, "\(test.type): got \(got)")
                // Unauthenticated: any request as the first frame is refused and the socket closed.
                let f = try await Self.fixture(server)
                let bare = try await TestClient.connectBare(server)
                let reply = try await bare.request(test.type, test.data(f))
                #expect(reply.errorCode == "unauthenticated", "\(test.type) before login")
                #expect(await bare.socket.waitClosed().code == 4401)
            }
        }
    }
}
