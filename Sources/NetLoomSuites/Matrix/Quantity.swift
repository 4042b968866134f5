// Suites / Matrix: values with units (times, rates, sizes, percentages, plain numbers), read with the lab
// model's own parsers, so ranges can be stepped (`from: 0ms, to: 20ms, step: 5ms`) and tables and charts
// can place a value on a numeric axis.

import Foundation
import NetLoomModel

/// A number in one of the lab file's units, kept in the unit's base (ns, bit/s, bytes, percent).
public struct Quantity: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case time, rate, size, percent, number

        /// What a range of this kind is called in errors.
        var noun: String {
            switch self {
            case .time: "a time"
            case .rate: "a rate"
            case .size: "a size"
            case .percent: "a percentage"
            case .number: "a number"
            }
        }
    }

    public var kind: Kind
    /// ns, bit/s, bytes, percent, or the number.
    public var base: Double

    public init(kind: Kind, base: Double) {
        self.kind = kind
        self.base = base
    }

    /// Reads `20ms`, `10gbit`, `64MiB`, `0.5%`, `8`, `2.5`; nil for anything else. Zero rates are
    /// allowed here (a range may start at one); the lab rejects them when they are used.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let duration = try? DurationSyntax.parse(text) {
            self.init(kind: .time, base: Double(duration.totalNanoseconds))
        } else if let rate = try? Bitrate(parsing: text) {
            self.init(kind: .rate, base: Double(rate.bitsPerSecond))
        } else if text.hasSuffix("bit") || text.hasSuffix("bps"), let zero = Double(text.prefix { $0.isNumber || $0 == "." }), zero == 0 {
            self.init(kind: .rate, base: 0)
        } else if let size = try? ByteCount(parsing: text) {
            self.init(kind: .size, base: Double(size.bytes))
        } else if let percent = try? Percent(parsing: text) {
            self.init(kind: .percent, base: percent.value)
        } else if let number = Double(text), number.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) {
            self.init(kind: .number, base: number)
        } else {
            return nil
        }
    }

    /// The value in the lab's spelling: `5ms`, `10gbit`, `64MiB`, `0.25%`, `8`.
    public var text: String {
        switch kind {
        case .time: DurationSyntax.format(.nanoseconds(Int64(base.rounded())))
        case .rate: base == 0 ? "0bit" : Bitrate(bitsPerSecond: UInt64(base.rounded())).description
        case .size: ByteCount(bytes: UInt64(max(0, base.rounded()))).description
        case .percent: Percent(Self.tidy(base)).description
        case .number: base == base.rounded() && abs(base) < 1e15 ? "\(Int64(base))" : "\(Self.tidy(base))"
        }
    }

    /// Whether values of this kind are whole numbers of their base unit.
    var isIntegral: Bool { kind == .time || kind == .rate || kind == .size }

    /// 0.30000000000000004 -> 0.3: twelve significant digits, which a stepped range needs.
    static func tidy(_ value: Double) -> Double {
        Double(String(format: "%.12g", value)) ?? value
    }

    /// The value for a chart or a table: in the unit that reads best for the axis (`ms` for
    /// times, `Mbit/s` or `Gbit/s` for rates, `B` for sizes, `%`, or none).
    public func scaled(to unit: String) -> Double {
        base / (Self.scales[unit] ?? 1)
    }

    static let scales: [String: Double] = [
        "ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "bit/s": 1, "kbit/s": 1e3, "Mbit/s": 1e6, "Gbit/s": 1e9,
        "B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824,
    ]

    /// The display unit for a set of values of one kind: the largest that keeps most of them at 1 or more.
    public static func displayUnit(kind: Kind, values: [Double]) -> String {
        let largest = values.map(abs).max() ?? 0
        switch kind {
        case .time: return largest >= 1e9 ? "s" : (largest >= 1e6 || largest == 0 ? "ms" : (largest >= 1e3 ? "us" : "ns"))
        case .rate: return largest >= 1e9 ? "Gbit/s" : (largest >= 1e6 ? "Mbit/s" : (largest >= 1e3 ? "kbit/s" : "bit/s"))
        case .size: return largest >= 1_073_741_824 ? "GiB" : (largest >= 1_048_576 ? "MiB" : (largest >= 1024 ? "KiB" : "B"))
        case .percent: return "%"
        case .number: return ""
        }
    }
}
