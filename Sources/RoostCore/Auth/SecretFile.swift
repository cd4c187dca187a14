import Foundation

/// The token-signing secret kept in the data directory, created on first start
/// with owner-only permissions, so tokens survive restarts without configuration.
public enum SecretFile {
    public static func loadOrCreate(at path: String) throws -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let trimmed = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count >= 32 { return trimmed }
        }
        let secret = generate()
        _ = FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        return secret
    }

    /// 32 random bytes, hex.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
