// Lab model / Units: the error a unit parser throws before it knows where in a file the text came from.
// The lab parser wraps it into a `LabError` with file, line, column and field path.

/// A value that is not valid for its unit type, with what would be allowed.
public struct UnitSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. `"10 gbits" is not a rate`.
    public var message: String
    /// What is allowed, e.g. `use a number with bit, kbit, mbit, gbit or tbit (e.g. 10gbit)`.
    public var allowed: String

    public init(_ message: String, allowed: String) {
        self.message = message
        self.allowed = allowed
    }

    public var description: String { "\(message); \(allowed)" }
}
