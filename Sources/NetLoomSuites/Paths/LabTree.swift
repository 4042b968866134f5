// Suites / Paths: a lab file's YAML as a node tree (Yams compose), sweep paths resolved against it to
// concrete steps (keys and list indexes), and values set at those places. A point of a suite is its base
// lab's tree with each axis's value set, serialized and resolved like any lab file.

import Foundation
import NetLoomModel
import Yams

/// Where a sweep path lands in a lab file: concrete keys and indexes, and the field path the lab's
/// errors use for that place (`links[4].delay`, `nodes.gpu[0-7].kind`).
public struct LabTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var steps: [Step]

    public var description: String { canonical }

    /// The path as the lab's own errors write it.
    public var canonical: String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// Whether `other` is this place or inside it (or the reverse): two axes that do this clash.
    public func overlaps(_ other: LabTarget) -> Bool {
        let shorter = min(steps.count, other.steps.count)
        return Array(steps.prefix(shorter)) == Array(other.steps.prefix(shorter))
    }

    /// Whether a lab error's field path is at this place or inside it.
    public func contains(errorPath path: String) -> Bool {
        let own = canonical
        return path == own || path.hasPrefix(own + ".") || path.hasPrefix(own + "[")
    }
}

/// A sweep path that does not fit the lab: what is wrong, what would be right, and which step.
public struct TargetError: Error, Sendable, Equatable {
    public var message: String
    public var allowed: String
    /// Offset of the offending step in the path text.
    public var offset: Int
}

/// A lab file's node tree, with the resolved lab it makes (for names that ranges expand to).
public struct LabTree {
    public var root: Node
    /// The lab as resolved from the same text: which line made which link, which key made which node.
    public let base: ResolvedLab

    public init(root: Node, base: ResolvedLab) {
        self.root = root
        self.base = base
    }

    // MARK: - Resolving paths

    /// Resolves a sweep path to concrete steps. Keys that are not there yet are allowed at the end
    /// of a path and as mappings on the way (`defaults.link.rate` in a lab without `defaults`): the
    /// lab's own validation then judges the key. Lists must exist and selectors must match.
    public func resolve(_ path: SweepPath) throws(TargetError) -> LabTarget {
        var steps: [LabTarget.Step] = []
        var current: Node? = root
        var index = 0
        let written = path.steps
        while index < written.count {
            let step = written[index]
            let here = LabTarget(steps: steps).canonical
            switch current {
            case .mapping(let mapping)?:
                // A key as written, or the longest run of steps that spells an existing key
                // (`gpu[0-7]`, `net.ipv4.ip_forward`).
                var matched: (key: String, used: Int)?
                var spelled = ""
                for end in index..<written.count {
                    let part = written[end]
                    if end == index {
                        spelled = part.text
                    } else {
                        spelled += part.kind == .key ? ".\(part.text)" : "[\(part.text)]"
                    }
                    if Self.value(in: mapping, key: spelled) != nil { matched = (spelled, end - index + 1) }
                }
                if let (key, used) = matched {
                    steps.append(.key(key))
                    current = Self.value(in: mapping, key: key)
                    index += used
                    continue
                }
                if here == "nodes", let node = base.node(named: step.text) {
                    let written = Self.keyText(in: mapping, at: node.location) ?? "?"
                    throw TargetError(
                        message: "node \(step.text) is made by the key `\(written)`",
                        allowed: "sweep `nodes.\(written)` (it changes every node the key makes)", offset: step.offset)
                }
                // A key that is not there: a new mapping on the way, a new value at the end.
                if index + 1 < written.count, written[index + 1].kind == .select {
                    throw TargetError(
                        message: "`\(here.isEmpty ? step.text : here + "." + step.text)` is not in the lab, so it has no items to select",
                        allowed: Self.keysHint(mapping), offset: step.offset)
                }
                steps.append(.key(step.text))
                current = nil
                index += 1
            case .sequence(let sequence)?:
                guard step.kind == .select else {
                    throw TargetError(
                        message: "`\(here)` is a list; select an item with [index]\(here == "links" ? " or [link name]" : "")",
                        allowed: "e.g. \(here)[0].\(step.text)", offset: step.offset)
                }
                let item = try select(step, in: Array(sequence), listPath: here)
                steps.append(.index(item))
                current = sequence[item]
                index += 1
            case nil:
                // Inside a mapping that does not exist yet: only keys.
                guard step.kind == .key else {
                    throw TargetError(message: "`\(here)` is not in the lab, so it has no items to select", allowed: "", offset: step.offset)
                }
                steps.append(.key(step.text))
                index += 1
            case .scalar?, .alias?:
                throw TargetError(
                    message: "`\(here)` is a single value, not a mapping or a list", allowed: "end the path at `\(here)`",
                    offset: step.offset)
            }
        }
        return LabTarget(steps: steps)
    }

    /// The index of the list item a selector names.
    func select(_ step: PathStep, in items: [Node], listPath: String) throws(TargetError) -> Int {
        if !step.quoted, let number = Int(step.text) {
            guard number >= 0, number < items.count else {
                throw TargetError(
                    message: "\(listPath) has \(items.count) item\(items.count == 1 ? "" : "s"); there is no [\(number)]",
                    allowed: items.isEmpty ? "" : "use an index from 0 to \(items.count - 1)", offset: step.offset)
            }
            return number
        }
        switch listPath {
        case "links": return try selectLink(step, in: items)
        case "workloads":
            let matches = items.indices.filter { Self.value(in: items[$0].mapping, key: "plugin")?.scalar?.string == step.text }
            guard matches.count == 1 else {
                throw TargetError(
                    message: matches.isEmpty ? "no workload runs the plugin `\(step.text)`"
                        : "\(matches.count) workloads run the plugin `\(step.text)`",
                    allowed: "select the workload by its index, e.g. workloads[\(matches.first ?? 0)]", offset: step.offset)
            }
            return matches[0]
        default:
            throw TargetError(message: "items of \(listPath) are selected by index", allowed: "e.g. \(listPath)[0]", offset: step.offset)
        }
    }

    /// A link by its name or `<a>--<b>` name: the line that makes it, when that line makes only it.
    func selectLink(_ step: PathStep, in items: [Node]) throws(TargetError) -> Int {
        let named = items.indices.filter { Self.value(in: items[$0].mapping, key: "name")?.scalar?.string == step.text }
        if named.count == 1 { return named[0] }
        guard let link = base.link(named: step.text) else {
            throw TargetError(
                message: "the lab has no link named `\(step.text)`",
                allowed: KeySuggestion.hint(for: step.text, among: base.links.map(\.name)), offset: step.offset)
        }
        guard let line = items.firstIndex(where: { Self.location($0, file: link.location.file) == link.location }) else {
            throw TargetError(message: "cannot find the line that makes link \(step.text)", allowed: "select it by index", offset: step.offset)
        }
        let made = base.links.filter { $0.location == link.location }.count
        guard made == 1 else {
            throw TargetError(
                message: "link \(step.text) is one of the \(made) links that links[\(line)] makes",
                allowed: "sweep links[\(line)] to change them all, or give the link a line of its own", offset: step.offset)
        }
        return line
    }

    // MARK: - Setting values

    /// Sets `value` at `target`, creating the mappings on the way that are not there yet.
    public mutating func set(_ target: LabTarget, to value: Node) {
        Self.set(&root, steps: target.steps[...], value: value)
    }

    static func set(_ node: inout Node, steps: ArraySlice<LabTarget.Step>, value: Node) {
        guard let step = steps.first else {
            node = value
            return
        }
        switch step {
        case .key(let key):
            var mapping = node.mapping ?? Node.Mapping([])
            if let index = mapping.firstIndex(where: { $0.key.scalar?.string == key }) {
                var child = mapping[index].value
                set(&child, steps: steps.dropFirst(), value: value)
                mapping[index] = (key: mapping[index].key, value: child)
            } else {
                var child = Node.mapping(Node.Mapping([]))
                set(&child, steps: steps.dropFirst(), value: value)
                mapping[Node(key)] = child
            }
            node = .mapping(mapping)
        case .index(let index):
            guard var sequence = node.sequence, index < sequence.count else { return }
            var child = sequence[index]
            set(&child, steps: steps.dropFirst(), value: value)
            sequence.replaceSubrange(index..<(index + 1), with: [child])
            node = .sequence(sequence)
        }
    }

    /// The lab text of the tree (comments are not kept).
    public func serialized() throws -> String {
        try Yams.serialize(node: root)
    }

    // MARK: - Support

    static func value(in mapping: Node.Mapping?, key: String) -> Node? {
        mapping?.first { $0.key.scalar?.string == key }?.value
    }

    static func location(_ node: Node, file: String) -> LabLocation? {
        node.mark.map { LabLocation(file: file, line: $0.line, column: $0.column) }
    }

    /// The key of `mapping` written at `location`.
    static func keyText(in mapping: Node.Mapping, at location: LabLocation) -> String? {
        mapping.first { Self.location($0.key, file: location.file) == location }?.key.scalar?.string
    }

    static func keysHint(_ mapping: Node.Mapping) -> String {
        let keys = mapping.compactMap { $0.key.scalar?.string }
        return keys.isEmpty ? "" : "its keys here are " + keys.joined(separator: ", ")
    }
}
