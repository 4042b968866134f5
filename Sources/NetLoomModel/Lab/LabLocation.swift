// Lab model / Lab: where a value came from, so every error and warning can point at file:line:column.

/// A place in a lab file. Lines and columns start at 1.
public struct LabLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A value as written in a lab file, with its location and field path (e.g. `links[2].from_b.rate`).
public struct Located<Value> {
    public var value: Value
    public var location: LabLocation
    public var path: String

    public init(_ value: Value, at location: LabLocation, path: String) {
        self.value = value
        self.location = location
        self.path = path
    }

    func map<T>(_ transform: (Value) -> T) -> Located<T> {
        Located<T>(transform(value), at: location, path: path)
    }
}

extension Located: Sendable where Value: Sendable {}
extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
extension Located: Codable where Value: Codable {}
