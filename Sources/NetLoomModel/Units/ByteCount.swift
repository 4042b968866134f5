// Lab model / Units: sizes in bytes (queues, message sizes), SI and IEC.

/// A number of bytes.
///
/// Lab syntax (units are case-sensitive, so a byte `B` is never confused with a bit `b`):
/// - `B` (bytes), SI 1000-based `kB` (also `KB`), `MB`, `GB`, `TB`, and IEC 1024-based `KiB`, `MiB`, `GiB`, `TiB`.
/// - tc's bare `k`, `m`, `g`, `kb`, `mb` are rejected: tc means 1024-based bytes by them, iperf3 and
///   most people mean 1000-based; write `KiB` or `kB`.
///
/// The canonical form uses whichever of the largest exact SI unit or the largest exact IEC unit gives the
/// smaller number (`4MB`, `64MiB`, `1536B`); zero is `0B`.
public struct ByteCount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let bytes: UInt64

    public init(bytes: UInt64) {
        self.bytes = bytes
    }

    public static func kibibytes(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 10) }
    public static func mebibytes(_ n: UInt64) -> ByteCount { ByteCount(bytes: n << 20) }

    static let allowed = "use a number with B, kB, MB, GB, TB (1000-based) or KiB, MiB, GiB, TiB (1024-based), e.g. 4MB"

    private static let units: [String: UInt128] = [
        "B": 1, "kB": 1_000, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000, "TB": 1_000_000_000_000,
        "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
    ]
    private static let si: [(suffix: String, size: UInt128)] = [
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("kB", 1_000), ("B", 1),
    ]
    private static let iec: [(suffix: String, size: UInt128)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1),
    ]

    /// Parses a lab size such as `4MB`, `64MiB` or `1500B`.
    public init(parsing text: String) throws(UnitSyntaxError) {
        let trimmed = text.trimmingWhitespace
        guard let number = DecimalLiteral(trimmed) else {
            throw UnitSyntaxError("\"\(text)\" is not a size", allowed: Self.allowed)
        }
        let unit = String(number.unit)
        if unit.isEmpty {
            throw UnitSyntaxError("\"\(text)\" has no unit", allowed: Self.allowed)
        }
        guard let multiplier = Self.units[unit] else {
            if ["k", "m", "g", "kb", "mb", "gb", "K", "M", "G", "Kb", "Mb", "Gb", "b"].contains(unit) {
                throw UnitSyntaxError(
                    "\"\(text)\" is ambiguous (tc reads \(unit) as 1024-based bytes, others as bits or 1000-based)",
                    allowed: "write \(number.plainNumber)KiB, \(number.plainNumber)kB or similar")
            }
            throw UnitSyntaxError("\"\(text)\" is not a size", allowed: Self.allowed)
        }
        if number.isNegative && !number.isZero {
            throw UnitSyntaxError("\"\(text)\" is negative", allowed: "a size is 0 or more")
        }
        let tooLarge = UnitSyntaxError("\"\(text)\" is too large", allowed: "a size fits in 64 bits (at most 16EiB)")
        if number.overflows(times: multiplier) { throw tooLarge }
        guard let value = number.exactValue(times: multiplier) else {
            throw UnitSyntaxError("\"\(text)\" is not a whole number of bytes", allowed: Self.allowed)
        }
        guard value <= UInt128(UInt64.max) else { throw tooLarge }
        self.bytes = UInt64(value)
    }

    public var description: String {
        func best(_ units: [(suffix: String, size: UInt128)]) -> (number: UInt128, suffix: String) {
            let value = UInt128(bytes)
            let unit = units.first { value % $0.size == 0 && value != 0 } ?? ("B", 1)
            return (value / unit.size, unit.suffix)
        }
        let si = best(Self.si), iec = best(Self.iec)
        let chosen = iec.number < si.number ? iec : si
        return "\(chosen.number)\(chosen.suffix)"
    }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }

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
