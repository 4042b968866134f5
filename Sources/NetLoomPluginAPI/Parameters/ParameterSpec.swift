import NetLoomModel

/// One parameter a plugin takes: its name in `params`, its type, its default (written
/// as in a lab file), and one line of help for `netloom plugins describe`.
public struct ParameterSpec: Sendable {
    public indirect enum Kind: Sendable, CustomStringConvertible {
        case string
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case bool
        case duration
        case bitrate
        case size
        case percent
        case choice([String])
        case list(Kind)

        public var description: String {
            switch self {
            case .string: "string"
            case .integer(let range): "integer \(range.lowerBound)...\(range.upperBound)"
            case .number(let range): "number \(range.lowerBound)...\(range.upperBound)"
            case .bool: "true | false"
            case .duration: "time (e.g. 10s, 500ms)"
            case .bitrate: "rate (e.g. 10gbit)"
            case .size: "size (e.g. 64MiB)"
            case .percent: "percent (e.g. 1%)"
            case .choice(let choices): choices.joined(separator: " | ")
            case .list(let kind): "list of \(kind)"
            }
        }
    }

    /// A default in lab-file syntax: a scalar (`"10"`, `"1MiB"`) or a list (`["1MiB", "64MiB"]`).
    public enum Default: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
        case scalar(String)
        case list([String])

        public init(stringLiteral value: String) { self = .scalar(value) }
        public init(arrayLiteral elements: String...) { self = .list(elements) }

        public var description: String {
            switch self {
            case .scalar(let text): text
            case .list(let items): "[" + items.joined(separator: ", ") + "]"
            }
        }
    }

    public var name: String
    public var kind: Kind
    /// nil: the parameter is required, unless `optional`.
    public var defaultValue: Default?
    /// Without a default, may be left out (the plugin reads it as an optional).
    public var optional: Bool
    public var help: String

    public init(_ name: String, _ kind: Kind, default defaultValue: Default? = nil, optional: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.optional = optional
        self.help = help
    }
}
