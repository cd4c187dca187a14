import Logging
import RoostCore

/// The kinds of rows in the settings table, one constructor each, so that a
/// row names its key, its field, its bounds and its help and nothing else.
extension Setting {
    /// An integer of at least `minimum`.
    static func integer<F: FixedWidthInteger & Sendable>(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, F> & Sendable, atLeast minimum: Int, _ help: String
    ) -> Setting {
        make(key, path, expected: "an integer ≥ \(minimum)", help: help,
             parse: { (raw: Int) in raw >= minimum ? F(exactly: raw) : nil }, format: { "\($0)" })
    }

    /// An integer within `range`.
    static func integer<F: FixedWidthInteger & Sendable>(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, F> & Sendable, in range: ClosedRange<Int>, _ help: String
    ) -> Setting {
        make(key, path, expected: "an integer \(range.lowerBound)...\(range.upperBound)", help: help,
             parse: { (raw: Int) in range.contains(raw) ? F(exactly: raw) : nil }, format: { "\($0)" })
    }

    /// A number of at least 0.
    static func number(_ key: String, _ path: any WritableKeyPath<ServerSettings, Double> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "a number ≥ 0", help: help,
             parse: { (raw: Double) in raw.isFinite && raw >= 0 ? raw : nil }, format: { Setting.number($0) })
    }

    /// An interval in seconds (fractions allowed), positive unless `allowZero`.
    static func seconds(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, Duration> & Sendable, allowZero: Bool = false, _ help: String
    ) -> Setting {
        make(key, path, expected: allowZero ? "seconds ≥ 0" : "seconds > 0", help: help,
             parse: { (raw: Double) -> Duration? in
                 guard raw.isFinite, raw > 0 || (allowZero && raw == 0), raw < 1e12 else { return nil }
                 return .milliseconds(Int64((raw * 1000).rounded()))
             },
             format: { duration in
                 let (seconds, attoseconds) = duration.components
                 return Setting.number(Double(seconds) + Double(attoseconds) / 1e18)
             })
    }

    /// A rate limit: `N/s`, `N/min`, `N/h`, `N/<k>s` or `off`.
    static func rate(_ key: String, _ path: any WritableKeyPath<ServerSettings, RateRule> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "a rate (N/s, N/min, N/h, N/<k>s or off)", help: help,
             parse: { (raw: String) in RateRule(parsing: raw) }, format: { $0.description })
    }

    /// Any text.
    static func text(_ key: String, _ path: any WritableKeyPath<ServerSettings, String> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "text", help: help, parse: { (raw: String) in raw }, format: { $0 })
    }

    /// Text that may be unset; `unset` says what happens then. With
    /// `minBytes`, shorter text is a bad value (a signing key, say).
    static func optionalText(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, String?> & Sendable, secret: Bool = false,
        minBytes: Int = 0, unset: String, _ help: String
    ) -> Setting {
        make(key, path, expected: minBytes > 0 ? "text of at least \(minBytes) bytes" : "text", secret: secret,
             unset: unset, help: help,
             parse: { (raw: String) -> String?? in raw.utf8.count >= minBytes ? .some(raw) : nil }, format: { $0 })
    }

    /// On or off (`true`/`false`; `yes`/`no`/`1`/`0` in the environment).
    static func toggle(_ key: String, _ path: any WritableKeyPath<ServerSettings, Bool> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "true or false", help: help, parse: { (raw: Bool) in raw }, format: { "\($0)" })
    }

    /// A list (a YAML sequence, comma-separated in the environment, a repeated flag).
    static func list(_ key: String, _ path: any WritableKeyPath<ServerSettings, Set<String>> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "a list", unset: "none", help: help,
             parse: { (raw: [String]) in Set(raw.filter { !$0.isEmpty }) },
             format: { $0.isEmpty ? nil : $0.sorted().joined(separator: ",") })
    }

    /// A log level, `trace` ... `critical`.
    static func logLevel(_ key: String, _ path: any WritableKeyPath<ServerSettings, Logger.Level> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "), help: help,
             parse: { (raw: String) in Logger.Level(rawValue: raw) }, format: { $0.rawValue })
    }

    /// `text` or `json`.
    static func logFormat(_ key: String, _ path: any WritableKeyPath<ServerSettings, LogFormat> & Sendable, _ help: String) -> Setting {
        make(key, path, expected: "text or json", help: help,
             parse: { (raw: String) in LogFormat(rawValue: raw) }, format: { $0.rawValue })
    }

    /// `HOST:PORT` (`[::1]:9090` for IPv6), or unset.
    static func address(
        _ key: String, _ path: any WritableKeyPath<ServerSettings, ListenAddress?> & Sendable, unset: String, _ help: String
    ) -> Setting {
        make(key, path, expected: "HOST:PORT", unset: unset, help: help,
             parse: { (raw: String) -> ListenAddress?? in ListenAddress(parsing: raw).map { .some($0) } },
             format: { $0?.description })
    }
}
