// Suites / Matrix: one value an axis takes, as YAML (a scalar like `5ms`, or a list or mapping such as
// `[1MiB, 64MiB]` for a plugin parameter), kept as a Sendable value and turned into a Yams node when a
// point's lab is made.

import Foundation
import Yams

/// A YAML value of a sweep.
public indirect enum SweepValue: Sendable, Hashable, CustomStringConvertible {
    /// A scalar's text; `quoted` keeps a quoted scalar quoted (a string that looks like a number).
    case scalar(String, quoted: Bool)
    case sequence([SweepValue])
    case mapping([MappingEntry])

    public struct MappingEntry: Sendable, Hashable {
        public var key: String
        public var value: SweepValue
    }

    public static func scalar(_ text: String) -> SweepValue { .scalar(text, quoted: false) }

    /// From a composed YAML node (aliases are not allowed in suites and become null).
    public init(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string, quoted: scalar.style == .singleQuoted || scalar.style == .doubleQuoted)
        case .sequence(let sequence):
            self = .sequence(sequence.map(SweepValue.init))
        case .mapping(let mapping):
            self = .mapping(mapping.map { MappingEntry(key: $0.key.scalar?.string ?? "", value: SweepValue($0.value)) })
        case .alias:
            self = .scalar("", quoted: false)
        }
    }

    /// The Yams node to put into a lab's tree.
    public var node: Node {
        switch self {
        case .scalar(let text, let quoted):
            .scalar(Node.Scalar(text, .implicit, quoted ? .doubleQuoted : .any))
        case .sequence(let items):
            .sequence(Node.Sequence(items.map(\.node), .implicit, .flow))
        case .mapping(let entries):
            .mapping(Node.Mapping(entries.map { (Node($0.key), $0.value.node) }, .implicit, .flow))
        }
    }

    /// Compact flow text: `5ms`, `[1MiB, 64MiB]`, `{algorithm: ring}`; the value's name in tables,
    /// folder manifests and progress lines.
    public var description: String {
        switch self {
        case .scalar(let text, _):
            text.isEmpty ? "\"\"" : text
        case .sequence(let items):
            "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let entries):
            "{" + entries.map { "\($0.key): \($0.value.description)" }.joined(separator: ", ") + "}"
        }
    }

    /// The scalar's text (nil for lists and mappings).
    public var scalarText: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }
}
