// Lab model / Units: link rates in bits per second, written with tc's units.

/// A layer-2 rate in bits per second, more than 0 and at most 1 tbit.
///
/// Lab syntax (case-insensitive unless noted):
/// - tc's SI units, 1000-based: `bit`, `kbit`, `mbit`, `gbit`, `tbit` (`25gbit`, `1.5mbit`).
/// - `bps`, `Kbps`, `Mbps`, `Gbps`, `Tbps`, written with a capital prefix, also mean **bits** per second.
///   The lower-case `kbps`/`mbps`/`gbps` are rejected: tc reads them as *bytes* per second.
/// - IEC units, 1024-based: `kibit`, `mibit`, `gibit`, `tibit`.
///
/// The canonical form (`description`, and the Codable form) uses the largest SI unit that divides the
/// value exactly: `1.5gbit` is written `1500mbit`.
public struct Bitrate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let bitsPerSecond: UInt64

    /// The largest rate a lab may ask for.
    public static let maximum = Bitrate(bitsPerSecond: 1_000_000_000_000)

    public init(bitsPerSecond: UInt64) {
        self.bitsPerSecond = bitsPerSecond
    }

    public static func kbit(_ n: UInt64) -> Bitrate { Bitrate(bitsPerSecond: n * 1_000) }
    public static func mbit(_ n: UInt64) -> Bitrate { Bitrate(bitsPerSecond: n * 1_000_000) }
    public static func gbit(_ n: UInt64) -> Bitrate { Bitrate(bitsPerSecond: n * 1_000_000_000) }

    /// Whole bytes per second (rounded down), as tc's `rate` takes it.
    public var bytesPerSecond: UInt64 { bitsPerSecond / 8 }

    static let allowed = "use a number with bit, kbit, mbit, gbit or tbit (e.g. 10gbit)"

    private static let units: [String: UInt128] = [
        "bit": 1, "kbit": 1_000, "mbit": 1_000_000, "gbit": 1_000_000_000, "tbit": 1_000_000_000_000,
        "kibit": 1 << 10, "mibit": 1 << 20, "gibit": 1 << 30, "tibit": 1 << 40,
    ]
    private static let bpsUnits: [String: UInt128] = [
        "bps": 1, "Kbps": 1_000, "Mbps": 1_000_000, "Gbps": 1_000_000_000, "Tbps": 1_000_000_000_000,
    ]

    /// Parses a lab rate such as `10gbit`, `100Mbps` or `512kibit`.
    public init(parsing text: String) throws(UnitSyntaxError) {
        let trimmed = text.trimmingWhitespace
        guard let number = DecimalLiteral(trimmed) else {
            throw UnitSyntaxError("\"\(text)\" is not a rate", allowed: Self.allowed)
        }
        let unit = String(number.unit)
        if unit.isEmpty {
            throw UnitSyntaxError("\"\(text)\" has no unit", allowed: Self.allowed)
        }
        let multiplier: UInt128
        if let m = Self.bpsUnits[unit] ?? Self.units[unit.lowercased()] {
            multiplier = m
        } else if ["kbps", "mbps", "gbps", "tbps", "kBps", "MBps", "GBps"].contains(unit) {
            let prefix = unit.prefix(1).lowercased()
            throw UnitSyntaxError(
                "\"\(text)\" is ambiguous: tc reads \(unit) as bytes per second",
                allowed: "write \(number.plainNumber)\(prefix)bit for bits per second (NetLoom's \(prefix.uppercased())bps also means bits)")
        } else {
            throw UnitSyntaxError("\"\(text)\" is not a rate", allowed: Self.allowed)
        }
        if number.isNegative && !number.isZero {
            throw UnitSyntaxError("\"\(text)\" is negative", allowed: "a rate is more than 0 and at most 1tbit")
        }
        if number.overflows(times: multiplier) {
            throw UnitSyntaxError("\"\(text)\" is more than 1tbit", allowed: "a rate is more than 0 and at most 1tbit")
        }
        guard let bits = number.exactValue(times: multiplier) else {
            throw UnitSyntaxError("\"\(text)\" is not a whole number of bits per second", allowed: Self.allowed)
        }
        if bits == 0 {
            throw UnitSyntaxError("\"\(text)\" is zero", allowed: "a rate is more than 0 and at most 1tbit; leave rate out for an unlimited link")
        }
        if bits > UInt128(Self.maximum.bitsPerSecond) {
            throw UnitSyntaxError("\"\(text)\" is more than 1tbit", allowed: "a rate is more than 0 and at most 1tbit")
        }
        self.bitsPerSecond = UInt64(bits)
    }

    public var description: String {
        formatWithLargestUnit(UInt128(bitsPerSecond), units: [
            ("tbit", 1_000_000_000_000), ("gbit", 1_000_000_000), ("mbit", 1_000_000), ("kbit", 1_000), ("bit", 1),
        ])
    }

    public static func < (lhs: Bitrate, rhs: Bitrate) -> Bool { lhs.bitsPerSecond < rhs.bitsPerSecond }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension DecimalLiteral {
    /// The number part as written, without sign (for hints).
    var plainNumber: String {
        guard fractionDigits > 0 else { return "\(digits)" }
        var text = String(digits)
        while text.count <= fractionDigits { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -fractionDigits))
        return text
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
