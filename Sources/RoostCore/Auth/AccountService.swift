import RoostProtocol
import RoostStorage

/// Registration and password login (PROTOCOL.md 8), with the validation rules
/// of usernames and passwords.
public struct AccountService: Sendable {
    let store: any RoostStore
    let hasher: PasswordHasher
    let tokens: TokenService
    /// A hash to verify against when the user does not exist, so an unknown
    /// username costs the same time as a wrong password. Computed in the
    /// background: at cost 12 it takes a quarter of a second, which a start
    /// should not wait for (the first unknown-user login does, if it is early).
    private let decoyHash: Task<String, Never>

    public init(store: any RoostStore, hasher: PasswordHasher, tokens: TokenService) async {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.decoyHash = Task { await hasher.hash("roost-decoy-password") }
    }

    public struct LoginResult: Sendable {
        public let token: String
        public let user: UserAccount
        public let expiresAt: Int64
    }

    public func register(username: String?, password: String?) async throws -> UserAccount {
        guard let username, Self.isValidUsername(username) else {
            throw RoostError.badRequest("username must be 3-32 characters of a-z, 0-9, _ . -")
        }
        try Self.validate(password: password)
        guard let password else { throw RoostError.badRequest("password must be 8-256 characters") }
        if try await store.user(named: username) != nil { throw RoostError.conflict("username is taken") }
        let hash = await hasher.hash(password)
        // The first account administers the server.
        let isAdmin = try await store.userCount() == 0
        return try await store.createUser(username: username, passwordHash: hash, isAdmin: isAdmin)
    }

    public func login(username: String?, password: String?) async throws -> LoginResult {
        guard let username, let password else { throw RoostError.badRequest("username and password are required") }
        let user = try await store.user(named: username)
        let hash: String
        if let user { hash = user.passwordHash } else { hash = await decoyHash.value }
        let ok = await hasher.verify(password, hash: hash)
        guard let user, ok else { throw RoostError.unauthenticated("wrong username or password") }
        // Only after the password: a ban is not revealed to someone who does not know it.
        guard !user.banned else { throw RoostError.forbidden("this account is banned") }
        let (token, expiresAt) = try await tokens.issue(for: user)
        return LoginResult(token: token, user: user, expiresAt: expiresAt)
    }

    /// `POST /api/password`: checks the old password (403 if wrong), stores the
    /// new hash and bumps the token version in one transaction, and returns a
    /// token of the new version. Kicking the open sockets is the caller's job.
    public func changePassword(user: UserAccount, old: String?, new: String?) async throws -> LoginResult {
        guard let old else { throw RoostError.badRequest("old_password and new_password are required") }
        try Self.validate(password: new)
        guard let new else { throw RoostError.badRequest("password must be 8-256 characters") }
        guard await hasher.verify(old, hash: user.passwordHash) else {
            throw RoostError.forbidden("wrong password")
        }
        let hash = await hasher.hash(new)
        guard let updated = try await store.revokeTokens(user: user.id, newPasswordHash: hash) else {
            throw RoostError.unauthenticated("no such user")
        }
        let (token, expiresAt) = try await tokens.issue(for: updated)
        return LoginResult(token: token, user: updated, expiresAt: expiresAt)
    }

    /// `POST /api/logout`: every token of the user stops working.
    public func revokeAllTokens(user: Int64) async throws {
        _ = try await store.revokeTokens(user: user, newPasswordHash: nil)
    }

    static func validate(password: String?) throws(RoostError) {
        guard let password, (8...256).contains(password.count) else {
            throw RoostError.badRequest("password must be 8-256 characters")
        }
    }

    public static func isValidUsername(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (3...32).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
        }
    }
}
