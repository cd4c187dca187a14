import Foundation
import Logging
import Synchronization

/// One JSON object per line on stderr, for log shippers (journald, Loki,
/// Docker): `{"ts","level","label","msg", ...metadata}`. Secrets are scrubbed
/// here as a last line of defence: Roost never logs a query string or a body,
/// but a token in `?token=`, a bearer header or a `password` field must never
/// reach a log even if some library logs one.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    public init(label: String, output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit { merged.merge(explicit) { $1 } }
        var object: [String: Any] = [:]
        for (key, value) in merged {
            object[key] = SecretScrubber.isSecretKey(key) ? SecretScrubber.mask : SecretScrubber.scrub(Self.flatten(value))
        }
        object["ts"] = Self.timestamp.format(Date())
        object["level"] = level.rawValue
        object["label"] = label
        object["msg"] = SecretScrubber.scrub(message.description)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        output(String(decoding: data, as: UTF8.self))
    }

    private static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ", ") + "]"
        case .dictionary(let dict): "{" + dict.sorted { $0.key < $1.key }.map { "\($0.key): \(flatten($0.value))" }
            .joined(separator: ", ") + "}"
        }
    }

    private static let lock = Mutex(())
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Writes `line` and a newline to stderr in one `write(2)` so lines of
    /// concurrent tasks never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }
}

/// Masks secrets in log text: `token=...` query parameters, bearer
/// credentials, `"password": "..."` pairs.
enum SecretScrubber {
    static let mask = "[redacted]"
    private static let secretKeys: Set<String> = ["token", "password", "authorization", "secret", "jwt_secret",
                                                  "metrics_token", "old_password", "new_password"]
    // Regex values are immutable once built; they are only read.
    nonisolated(unsafe) private static let patterns: [Regex<AnyRegexOutput>] = [
        try! Regex(#"(?i)(token=)[^&\s"']+"#),
        try! Regex(#"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"#),
        try! Regex(#"(?i)("?(?:old_|new_)?password"?\s*[:=]\s*"?)[^"&\s,}]+"#),
    ]

    static func isSecretKey(_ key: String) -> Bool { secretKeys.contains(key.lowercased()) }

    static func scrub(_ text: String) -> String {
        guard text.contains(where: { $0 == "=" || $0 == ":" || $0 == " " }) else { return text }
        var result = text
        for pattern in patterns {
            result = result.replacing(pattern) { match in
                (match.output[1].substring.map(String.init) ?? "") + mask
            }
        }
        return result
    }
}
