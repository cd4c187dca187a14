/// Device names: 1-64 characters of `[A-Za-z0-9_.-]` (PROTOCOL.md 1).
public enum DeviceName {
    public static let `default` = "default"

    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x5F || b == 0x2E || b == 0x2D
        }
    }
}

/// Request ids (`message_id` from a client): 1-64 characters.
public enum RequestID {
    public static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.count)
    }
}
