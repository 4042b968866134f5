// Reports / Charts: writing SVG (and the HTML around it) as text: escaping, numbers, elements.

import Foundation

/// Builds SVG markup. Every attribute value and text is escaped, so the output is
/// well-formed XML whatever the lab's names contain.
public struct SVGWriter: Sendable {
    public private(set) var markup = ""

    public init() {}

    /// `<name a="v" .../>`, or with text content `<name ...>text</name>`.
    public mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        markup += "<\(name)\(Self.attributes(attributes))"
        if let text { markup += ">\(Markup.escape(text))</\(name)>" } else { markup += "/>" }
        markup += "\n"
    }

    /// `<name ...>`, children written by `body`, then `</name>`.
    public mutating func group(_ name: String, _ attributes: [(String, String)], _ body: (inout SVGWriter) -> Void) {
        markup += "<\(name)\(Self.attributes(attributes))>\n"
        body(&self)
        markup += "</\(name)>\n"
    }

    /// Markup that is already well-formed (a child chart).
    public mutating func raw(_ text: String) { markup += text }

    static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
    }
}

/// Text helpers shared by the SVG and HTML writers.
public enum Markup {
    /// Escapes &, <, >, " and ' for text and attribute values; drops control characters XML forbids.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A pixel coordinate with one decimal ("12.5", "-3", "100").
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }
}
