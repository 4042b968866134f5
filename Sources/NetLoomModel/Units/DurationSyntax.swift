// Lab model / Units: times (delay, jitter, timeline instants) are Swift `Duration`s; this file reads and
// writes them in tc's notation.

/// Reading and writing `Duration` the way lab files do: a number and a unit, no space.
///
/// Units: `ns`, `us` (also `µs`), `ms`, `s`, `m` (minutes), `h` (hours). A bare number is an error.
/// The canonical form uses the largest unit that divides the value exactly (`1.5ms` is `1500us`).
/// Durations are whole nanoseconds.
public enum DurationSyntax {
    static let allowed = "use a number with ns, us, ms, s, m or h (e.g. 20ms)"

    private static let units: [String: UInt128] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "min": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Parses `50us`, `1.5ms`, `-2s` (negative values are returned; callers decide whether they are allowed).
    public static func parse(_ text: String) throws(UnitSyntaxError) -> Duration {
        let trimmed = text.trimmingWhitespace
        guard let number = DecimalLiteral(trimmed) else {
            throw UnitSyntaxError("\"\(text)\" is not a time", allowed: allowed)
        }
        if number.unit.isEmpty {
            throw UnitSyntaxError("\"\(text)\" has no unit", allowed: allowed)
        }
        guard let multiplier = units[String(number.unit)] else {
            throw UnitSyntaxError("\"\(text)\" is not a time", allowed: allowed)
        }
        guard !number.overflows(times: multiplier), let ns = number.exactValue(times: multiplier) else {
            if number.overflows(times: multiplier) {
                throw UnitSyntaxError("\"\(text)\" is too long", allowed: allowed)
            }
            throw UnitSyntaxError("\"\(text)\" is not a whole number of nanoseconds", allowed: allowed)
        }
        guard ns <= UInt128(Int64.max) else {
            throw UnitSyntaxError("\"\(text)\" is too long", allowed: allowed)
        }
        let value = Int64(ns)
        return .nanoseconds(number.isNegative ? -value : value)
    }

    /// Writes `duration` with the largest exact unit (`20ms`, `1500us`, `0s`); whole nanoseconds.
    public static func format(_ duration: Duration) -> String {
        let ns = duration.totalNanoseconds
        if ns == 0 { return "0s" }
        let magnitude = UInt128(ns.magnitude)
        let text = formatWithLargestUnit(magnitude, units: [
            ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1),
        ])
        return ns < 0 ? "-" + text : text
    }
}

extension Duration {
    /// Whole nanoseconds (sub-nanosecond parts are dropped; saturates at Int64's range).
    public var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// The lab-file spelling, e.g. `20ms`.
    public var labDescription: String { DurationSyntax.format(self) }
}
