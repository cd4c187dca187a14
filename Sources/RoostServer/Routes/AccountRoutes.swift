import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// `POST /api/register`, `POST /api/login`, `GET /api/me`, `POST /api/logout`,
/// `POST /api/password`.
struct AccountRoutes {
    let services: RoostServices

    struct Credentials: Decodable {
        let username: String?
        let password: String?
    }

    struct UserBody: Encodable {
        let userID: String
        let username: String
        enum CodingKeys: String, CodingKey {
            case username
            case userID = "user_id"
        }
        init(_ user: UserAccount) {
            userID = String(user.id)
            username = user.username
        }
    }

    struct PasswordChange: Decodable {
        let oldPassword: String?
        let newPassword: String?
        enum CodingKeys: String, CodingKey {
            case oldPassword = "old_password"
            case newPassword = "new_password"
        }
    }

    struct TokenBody: Encodable {
        let token: String
        let expiresAt: Int64
        enum CodingKeys: String, CodingKey {
            case token
            case expiresAt = "expires_at"
        }
    }

    struct Empty: Encodable {}

    struct UserList: Encodable {
        let users: [UserBody]
    }

    struct LoginBody: Encodable {
        let token: String
        let userID: String
        let expiresAt: Int64
        enum CodingKeys: String, CodingKey {
            case token
            case userID = "user_id"
            case expiresAt = "expires_at"
        }
    }

    func addPublic(to router: RouterGroup<RoostRequestContext>) {
        router.post("register") { request, context in
            var request = request
            try services.limiter.registration(from: context.remoteIP)
            let body = try await request.decodeJSON(Credentials.self)
            let user = try await services.accounts.register(username: body.username, password: body.password)
            return JSONBody(status: .created, UserBody(user))
        }
        router.post("login") { request, context in
            var request = request
            let body = try await request.decodeJSON(Credentials.self)
            let account = body.username ?? ""
            try services.limiter.loginAttempt(account: account, from: context.remoteIP)
            let result: AccountService.LoginResult
            do {
                result = try await services.accounts.login(username: body.username, password: body.password)
            } catch let error as RoostError where error.code == .unauthenticated {
                services.limiter.loginFailed(account: account, from: context.remoteIP)
                throw error
            }
            return JSONBody(LoginBody(token: result.token, userID: String(result.user.id), expiresAt: result.expiresAt))
        }
    }

    func addAuthenticated(to router: RouterGroup<RoostRequestContext>) {
        router.get("me") { _, context in
            JSONBody(UserBody(try context.requireUser()))
        }
        // Revocation first, then the sockets: a connection that authenticates
        // after the bump is refused, one that was open is kicked here.
        router.post("logout") { _, context in
            let user = try context.requireUser()
            try await services.accounts.revokeAllTokens(user: user.id)
            await services.registry.kickAll(of: user.id, reason: "revoked")
            return JSONBody(Empty())
        }
        router.post("password") { request, context in
            var request = request
            let user = try context.requireUser()
            let body = try await request.decodeJSON(PasswordChange.self)
            let result = try await services.accounts.changePassword(user: user, old: body.oldPassword, new: body.newPassword)
            await services.registry.kickAll(of: user.id, reason: "revoked")
            return JSONBody(TokenBody(token: result.token, expiresAt: result.expiresAt))
        }
        // An addition (docs/protocol.md): names for ids, so clients can label
        // `u:<id>` conversations and senders. `ids` comma-separated, at most
        // 1,000; unknown and malformed ids are left out.
        router.get("users") { request, context in
            _ = try context.requireUser()
            guard let text = request.uri.queryParameters["ids"] else { throw RoostError.badRequest("ids is required") }
            var seen = Set<Int64>()
            var users: [UserBody] = []
            for part in text.split(separator: ",").prefix(1000) {
                guard let id = Int64(part), seen.insert(id).inserted,
                      let user = try await services.store.user(id: id) else { continue }
                users.append(UserBody(user))
            }
            return JSONBody(UserList(users: users))
        }
        router.get("users/:username") { _, context in
            _ = try context.requireUser()
            let name = try context.parameters.require("username")
            guard let user = try await services.store.user(named: name) else { throw RoostError.notFound("no such user") }
            return JSONBody(UserBody(user))
        }
    }
}
