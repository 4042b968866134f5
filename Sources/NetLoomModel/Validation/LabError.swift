// Lab model / Validation: the one error type of a lab file, shaped like a compiler diagnostic.

/// One problem in a lab file: where it is, which field, what is wrong and what is allowed.
///
/// `description` reads like a compiler diagnostic:
/// `Labs/x.yaml:14:11: links[2].rate: "10 gbits" is not a rate; use a number with bit, kbit, mbit, gbit or tbit (e.g. 10gbit)`
///
/// Plugins validating their `params` raise the same type through `LocatedValue.error(_:allowed:)`.
public struct LabError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A coarse class of problem, for code that reacts to errors (tests, editors).
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Not YAML, or the wrong YAML shape (a list where a mapping belongs).
        case syntax
        /// A key that this place of the file does not know.
        case unknownKey
        /// A required key is missing.
        case missingKey
        /// A value that does not parse or is out of range (units, enums, numbers).
        case badValue
        /// A node, link, lab or interface name that breaks the naming rules, or a malformed range.
        case badName
        /// Two things with the same name.
        case duplicate
        /// A reference to a node or link that does not exist.
        case unknownReference
        /// Fields that contradict each other, or a value that needs another one.
        case conflict
        /// A feature the link's backend cannot provide.
        case unsupportedByBackend
        /// A shape of topology that cannot work (a loop of switches, a link from a node to itself).
        case topology
        /// Explicit or automatic addresses that clash or do not fit.
        case addressing
        /// Raised by a plugin about its own parameters.
        case plugin
    }

    public var kind: Kind
    public var location: LabLocation
    /// The field path, e.g. `links[2].from_b.rate`; empty for the file as a whole.
    public var path: String
    /// What is wrong.
    public var message: String
    /// What is allowed or what to do instead; may be empty.
    public var allowed: String

    public init(_ kind: Kind, at location: LabLocation, path: String, _ message: String, allowed: String = "") {
        self.kind = kind
        self.location = location
        self.path = path
        self.message = message
        self.allowed = allowed
    }

    public var file: String { location.file }
    public var line: Int { location.line }
    public var column: Int { location.column }

    public var description: String {
        var text = "\(location): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        if !allowed.isEmpty { text += "; \(allowed)" }
        return text
    }
}

/// All the errors found in a lab file, sorted by position. Thrown by `ResolvedLab.load` and `parse`.
public struct LabErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [LabError]

    public init(_ errors: [LabError]) {
        self.errors = errors.sorted { $0.location < $1.location }
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

/// Something in a lab file that builds but probably is not what was meant (an unreachable segment).
public struct LabWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public var location: LabLocation
    public var path: String
    public var message: String

    public init(at location: LabLocation, path: String, _ message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(location): warning: " + (path.isEmpty ? "" : "\(path): ") + message
    }
}
