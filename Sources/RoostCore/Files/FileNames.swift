/// Display names and MIME types of uploads. Neither ever becomes part of a
/// path on disk (files are stored under a server-made id); they are cleaned
/// so that they are harmless in headers and in clients too.
public enum FileNames {
    public static let defaultName = "file"
    public static let defaultMIME = "application/octet-stream"
    static let maxBytes = 255

    /// Path separators become `_`, control characters go, at most 255 UTF-8 bytes.
    public static func displayName(_ raw: String?) -> String {
        guard let raw else { return defaultName }
        var out = ""
        for scalar in raw.unicodeScalars {
            if scalar == "/" || scalar == "\\" {
                out.unicodeScalars.append("_")
            } else if scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value) {
                out.unicodeScalars.append(scalar)
            }
            if out.utf8.count > maxBytes {
                out.unicodeScalars.removeLast()
                break
            }
        }
        let trimmed = out.trimmingSpaces
        return trimmed.isEmpty || trimmed == "." || trimmed == ".." ? defaultName : trimmed
    }

    /// A `type/subtype[; params]` of printable ASCII, else the default.
    public static func mime(_ contentType: String?) -> String {
        guard let contentType else { return defaultMIME }
        let value = contentType.trimmingSpaces
        let bytes = value.utf8
        guard !value.isEmpty, bytes.count <= maxBytes, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
              let slash = value.firstIndex(of: "/"), slash != value.startIndex,
              value[value.index(after: slash)...].first.map({ $0 != ";" && $0 != " " }) == true else {
            return defaultMIME
        }
        return value
    }

    /// `attachment` with an ASCII fallback and the exact name in RFC 5987 form.
    public static func contentDisposition(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar != "\"" && scalar != "\\" && scalar.value >= 0x20 ? Character(scalar) : "_"
        })
        var encoded = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "!#$&+-.^_`|~".contains(c) {
                encoded.append(c)
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
