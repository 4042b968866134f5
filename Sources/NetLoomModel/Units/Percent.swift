// Lab model / Units: probabilities and correlations written as percentages.

import Foundation

/// A percentage from 0 to 100, written with a `%` sign (`0.1%`, `25%`). A bare number is an error,
/// because `0.1` could mean 0.1% or 10%.
///
/// The canonical form is the shortest decimal that reads back as the same value (`0.1%`, `25%`).
public struct Percent: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The percentage: 0.1 means 0.1 %.
    public let value: Double

    public static let zero = Percent(0)
    public static let hundred = Percent(100)

    /// - Precondition: `0 <= value <= 100`.
    public init(_ value: Double) {
        precondition(value >= 0 && value <= 100, "a percentage is from 0 to 100")
        self.value = value
    }

    /// The probability from 0 to 1 (0.1 % is 0.001).
    public var fraction: Double { value / 100 }

    public var isZero: Bool { value == 0 }

    static let allowed = "use a number from 0 to 100 followed by % (e.g. 0.1%)"

    /// Parses `0.1%`, `25%`, `100%`.
    public init(parsing text: String) throws(UnitSyntaxError) {
        let trimmed = text.trimmingWhitespace
        guard let number = DecimalLiteral(trimmed) else {
            throw UnitSyntaxError("\"\(text)\" is not a percentage", allowed: Self.allowed)
        }
        if number.unit.isEmpty {
            throw UnitSyntaxError("\"\(text)\" has no % sign", allowed: Self.allowed)
        }
        guard number.unit == "%" else {
            throw UnitSyntaxError("\"\(text)\" is not a percentage", allowed: Self.allowed)
        }
        if number.isNegative && !number.isZero {
            throw UnitSyntaxError("\"\(text)\" is negative", allowed: Self.allowed)
        }
        let value = number.isNegative ? 0 : number.doubleValue
        guard value <= 100 else {
            throw UnitSyntaxError("\"\(text)\" is more than 100%", allowed: Self.allowed)
        }
        self.value = value
    }

    public var description: String {
        if value == value.rounded() { return "\(Int(value))%" }
        for digits in 1...20 {
            let text = String(format: "%.\(digits)f", value)
            if Double(text) == value {
                return Self.trimZeros(text) + "%"
            }
        }
        return String(format: "%.20f", value) + "%"
    }

    private static func trimZeros(_ text: String) -> String {
        var s = Substring(text)
        while s.last == "0" { s = s.dropLast() }
        if s.last == "." { s = s.dropLast() }
        return String(s)
    }

    public static func < (lhs: Percent, rhs: Percent) -> Bool { lhs.value < rhs.value }

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
