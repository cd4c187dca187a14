import Foundation
import Synchronization
import JWTKit
import RoostProtocol
import RoostStorage

/// Claims of a Roost access token. `ver` is the user's token version: bumping
/// it (logout, password change) revokes every token issued before.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var ver: Int64

    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
    }
}

/// Issues and checks HS256 tokens. The algorithm is pinned: the header must say
/// HS256 before any signature check, so `alg: none` and key confusion fail early.
public struct TokenService: Sendable {
    private let keys: JWTKeyCollection
    private let lifetime: Duration
    private let store: any RoostStore
    /// Header segments already seen to name HS256: a token that starts with
    /// one needs no header decoding. jwt-kit writes its header's keys in
    /// either order, so the tokens of one server carry more than one.
    private let knownHeaders = KnownHeaders()

    public init(secret: String, lifetime: Duration, store: any RoostStore) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.lifetime = lifetime
        self.store = store
        let sample = AccessClaims(sub: .init(value: "0"), exp: .init(value: Date()), iat: .init(value: Date()), ver: 0)
        let header = (try? await keys.sign(sample))?.split(separator: ".", maxSplits: 1).first
        if let header { _ = knownHeaders.isHS256(header) }
    }

    /// A token for `user` and its expiry (ms since 1970).
    public func issue(for user: UserAccount) async throws -> (token: String, expiresAt: Int64) {
        let now = Date()
        let expiry = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
        let claims = AccessClaims(sub: .init(value: String(user.id)), exp: .init(value: expiry), iat: .init(value: now),
                                  ver: user.tokenVersion)
        let token = try await keys.sign(claims)
        return (token, Int64(expiry.timeIntervalSince1970 * 1000))
    }

    /// The user a token authenticates; `unauthenticated` for anything else.
    public func authenticate(_ token: String) async throws(RoostError) -> UserAccount {
        guard let dot = token.firstIndex(of: "."), knownHeaders.isHS256(token[..<dot]) else {
            throw .unauthenticated("invalid token")
        }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw .unauthenticated("invalid or expired token")
        }
        guard let id = Int64(claims.sub.value),
              let user = try? await store.user(id: id),
              user.tokenVersion == claims.ver, !user.banned
        else {
            throw .unauthenticated("token revoked")
        }
        return user
    }

    /// The `alg` of a token's header segment (base64url JSON of string values).
    static func headerAlgorithm(ofHeader segment: Substring) -> String? {
        var b64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64),
              let header = try? JSONDecoder().decode([String: String].self, from: data) else {
            return nil
        }
        return header["alg"]
    }
}

/// Header segments known to name HS256, at most `capacity` of them (a client
/// sending headers of its own only fills the rest; nothing is ever evicted,
/// so the server's own stay).
private final class KnownHeaders: Sendable {
    private let headers = Mutex<Set<Substring>>([])
    private let capacity = 8

    func isHS256(_ header: Substring) -> Bool {
        if headers.withLock({ $0.contains(header) }) { return true }
        guard TokenService.headerAlgorithm(ofHeader: header) == "HS256" else { return false }
        headers.withLock { known in
            if known.count < capacity { known.insert(Substring(String(header))) }
        }
        return true
    }
}
