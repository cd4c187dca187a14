import PostgresNIO

/// The token-signing secret of nodes sharing one database: a token issued by
/// one node must be accepted by every other, so they must sign with one key.
extension PostgresStore {
    /// A node's `--jwt-secret` differs from the one the other nodes sign with.
    public struct TokenSecretMismatch: Error, CustomStringConvertible {
        public let configured: Bool

        public var description: String {
            configured
                ? "jwt-secret differs from the secret the other nodes on this database sign tokens with: "
                    + "give every node the same jwt-secret (or none, to share the one kept in the database)"
                : "this node has no jwt-secret but the other nodes on this database use one: give it the same jwt-secret"
        }
    }

    /// The secret to sign tokens with. Without `configured`, the one kept in
    /// `meta` (the first node stores `seed`). Either way its SHA-256 is kept
    /// in `meta` by the first node, and a node whose secret does not match
    /// stops with `TokenSecretMismatch` instead of issuing tokens the others reject.
    public func agreeOnTokenSecret(configured: String?, seed: String) async throws -> String {
        try await write { db in
            let secret: String
            if let configured {
                secret = configured
            } else {
                try await db.run("""
                    INSERT INTO meta (key, value) VALUES ('jwt_secret', \(seed)) ON CONFLICT (key) DO NOTHING
                    """)
                secret = try await db.value("SELECT value FROM meta WHERE key = 'jwt_secret'", as: String.self) ?? seed
            }
            try await db.run("""
                INSERT INTO meta (key, value) VALUES ('jwt_fingerprint', encode(sha256(convert_to(\(secret), 'UTF8')), 'hex'))
                ON CONFLICT (key) DO NOTHING
                """)
            let agrees = try await db.value("""
                SELECT value = encode(sha256(convert_to(\(secret), 'UTF8')), 'hex') FROM meta WHERE key = 'jwt_fingerprint'
                """, as: Bool.self) ?? false
            guard agrees else { throw TokenSecretMismatch(configured: configured != nil) }
            return secret
        }
    }
}
