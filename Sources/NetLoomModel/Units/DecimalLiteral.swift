// Lab model / Units: splitting "1.5ms" into an exact decimal number and a unit suffix.
// Every unit type parses through here, so numbers are read the same way everywhere and never through
// binary floating point (1.1ms is exactly 1,100,000 ns).

/// A decimal number as written in a lab file (`1.5`, `-20`, `0.01`), kept exact, plus the text after it.
struct DecimalLiteral {
    var isNegative: Bool
    /// All digits of the number without the decimal point: `1.25` is 125.
    var digits: UInt128
    /// How many of `digits` are after the decimal point: `1.25` has 2.
    var fractionDigits: Int
    /// The text after the number, e.g. `ms` or `gbit`.
    var unit: Substring

    /// Splits `text` into number and unit; nil when it does not start with a number.
    /// Accepts an optional sign, digits, an optional fraction; no exponent, no spaces.
    init?(_ text: String) {
        var rest = Substring(text)
        isNegative = false
        if rest.first == "-" || rest.first == "+" {
            isNegative = rest.first == "-"
            rest = rest.dropFirst()
        }
        var digits: UInt128 = 0
        var count = 0
        var fraction = 0
        var seenPoint = false
        var significant = 0
        while let c = rest.first {
            if let d = c.wholeNumberValue, c.isASCII {
                if digits > 0 || d > 0 { significant += 1 }
                // 36 significant digits fit in a UInt128; more is not a number anyone means.
                guard significant <= 36 else { return nil }
                digits = digits * 10 + UInt128(d)
                count += 1
                if seenPoint { fraction += 1 }
            } else if c == ".", !seenPoint {
                seenPoint = true
            } else {
                break
            }
            rest = rest.dropFirst()
        }
        guard count > 0, !(seenPoint && fraction == 0) else { return nil }
        self.digits = digits
        self.fractionDigits = fraction
        self.unit = rest
    }

    /// The number times `multiplier`, if that is a whole number that fits; nil otherwise.
    func exactValue(times multiplier: UInt128) -> UInt128? {
        let (product, overflow) = digits.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        let divisor = Self.powerOfTen(fractionDigits)
        guard let divisor, product % divisor == 0 else { return nil }
        return product / divisor
    }

    /// Whether the number times `multiplier` would overflow (as opposed to being fractional).
    func overflows(times multiplier: UInt128) -> Bool {
        digits.multipliedReportingOverflow(by: multiplier).overflow
    }

    /// The number as the nearest Double (for percentages, which are not counted in whole units).
    var doubleValue: Double {
        let magnitude = Double("\(digits)e-\(fractionDigits)") ?? .infinity
        return isNegative ? -magnitude : magnitude
    }

    var isZero: Bool { digits == 0 }

    static func powerOfTen(_ n: Int) -> UInt128? {
        var result: UInt128 = 1
        for _ in 0..<n {
            let (next, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            result = next
        }
        return result
    }
}

/// Writes `value` (in the smallest unit) with the largest unit of `units` that divides it exactly.
/// `units` must be sorted from largest to smallest and end with a unit of size 1.
func formatWithLargestUnit(_ value: UInt128, units: [(suffix: String, size: UInt128)]) -> String {
    if value == 0, let smallest = units.last { return "0\(smallest.suffix)" }
    for unit in units where value % unit.size == 0 {
        return "\(value / unit.size)\(unit.suffix)"
    }
    return "\(value)\(units.last?.suffix ?? "")"
}
