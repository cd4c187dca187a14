import Yams

/// The keys of a YAML config file, so that one that is no setting is refused
/// rather than silently ignored (swift-configuration only answers lookups).
enum ConfigFileKeys {
    /// Dotted paths of the leaf keys in file order (`rate.messages` for a nested one);
    /// empty for a file without keys (only comments).
    static func list(yaml: String, path: String) throws(ConfigurationError) -> [String] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .unreadableFile(path, reason: "\(error)")
        }
        guard let root else { return [] }
        guard let mapping = root.mapping else { throw .unreadableFile(path, reason: "the top level is not a mapping") }
        var keys: [String] = []
        func walk(_ mapping: Node.Mapping, prefix: String) {
            for (key, value) in mapping {
                let name = prefix + (key.string ?? "\(key)")
                if let nested = value.mapping { walk(nested, prefix: name + ".") } else { keys.append(name) }
            }
        }
        walk(mapping, prefix: "")
        return keys
    }

    /// The known key closest to `key`, if it is a likely typo (edit distance ≤ 3).
    static func suggestion(for key: String, among known: [String]) -> String? {
        let scored = known.map { ($0, distance(Array(key), Array($0))) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= 3 else { return nil }
        return best
    }

    /// Levenshtein distance.
    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
