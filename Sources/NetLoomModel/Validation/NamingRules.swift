// Lab model / Validation: what a node, interface and link name may look like.

import Foundation

enum NamingRules {
    /// Node names are RFC 1123 host labels, lowercase, starting with a letter: `^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`.
    /// Lowercase because hostnames are case-insensitive (GPU0 and gpu0 would be the same host); a letter first
    /// so that a name is never mistaken for a number or an address.
    static func nodeNameProblem(_ name: String) -> UnitSyntaxError? {
        let allowed = "a node name is a hostname: 1 to 63 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen"
        if name.range(of: #"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"#, options: .regularExpression) == nil {
            return UnitSyntaxError("\"\(name)\" is not a valid node name", allowed: allowed)
        }
        return nil
    }

    /// Interface names fit IFNAMSIZ (at most 15 characters) and use letters, digits, `_`, `-`, `.`.
    static func interfaceNameProblem(_ name: String) -> UnitSyntaxError? {
        if name.count > 15 {
            return UnitSyntaxError("interface name \"\(name)\" is \(name.count) characters long", allowed: "Linux allows at most 15 (IFNAMSIZ)")
        }
        if name == "lo" {
            return UnitSyntaxError("interface name \"lo\" is the loopback", allowed: "pick another name")
        }
        if name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$"#, options: .regularExpression) == nil {
            return UnitSyntaxError("\"\(name)\" is not a valid interface name", allowed: "use letters, digits, _, - and ., starting with a letter or digit")
        }
        return nil
    }

    /// Link names: printable, no spaces or slashes (they name result files), at most 64 characters.
    /// (Checked by hand: this runs once per link, and a regular expression costs microseconds per call.)
    static func linkNameProblem(_ name: String) -> UnitSyntaxError? {
        let utf8 = name.utf8
        func isAlphanumeric(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
        }
        let valid = !utf8.isEmpty && utf8.count <= 64 && isAlphanumeric(utf8.first!)
            && utf8.allSatisfy { isAlphanumeric($0) || "_.:+-".utf8.contains($0) }
        if !valid {
            return UnitSyntaxError("\"\(name)\" is not a valid link name", allowed: "use up to 64 letters, digits, _, -, ., : or +")
        }
        return nil
    }
}
