// Lab model / Parsing: walking a Yams node tree with field paths and locations, reporting every shape
// error (wrong type, unknown key, bad unit) to `Diagnostics` instead of stopping at the first.

import Yams

/// A YAML node, the field path that leads to it (`links[2].from_b.rate`) and where it starts.
struct Field {
    let node: Node
    let path: String
    let location: LabLocation

    func located<T>(_ value: T) -> Located<T> { Located(value, at: location, path: path) }

    /// Whether the node is a YAML null (`~`, `null`, or nothing after the colon).
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}

/// The entries of a YAML mapping, in file order, with lookup by key.
struct MappingFields {
    var entries: [(key: String, keyLocation: LabLocation, field: Field)]
    let field: Field

    subscript(key: String) -> Field? {
        entries.first { $0.key == key }?.field
    }

    func has(_ key: String) -> Bool { self[key] != nil }
}

struct YAMLReader {
    let file: String
    let diagnostics: Diagnostics

    func location(of node: Node) -> LabLocation {
        let mark = node.mark
        return LabLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func child(of parent: Field, key: String, node: Node) -> Field {
        Field(node: node, path: parent.path.isEmpty ? key : "\(parent.path).\(key)", location: location(of: node))
    }

    // MARK: Shapes

    /// The mapping at `field`, with every key not in `keys` reported as unknown (with a suggestion, or with
    /// the explanation in `misplaced` when the key belongs elsewhere). Nil (and an error) if not a mapping.
    func mapping(_ field: Field, keys: [String], misplaced: [String: String] = [:], what: String = "a mapping") -> MappingFields? {
        guard case .mapping(let mapping) = field.node else {
            diagnostics.error(.syntax, at: field.location, path: field.path, "expected \(what), found \(describe(field.node))")
            return nil
        }
        var entries: [(key: String, keyLocation: LabLocation, field: Field)] = []
        for (keyNode, valueNode) in mapping {
            let keyLocation = location(of: keyNode)
            guard case .scalar(let keyScalar) = keyNode else {
                diagnostics.error(.syntax, at: keyLocation, path: field.path, "a key must be a plain word, found \(describe(keyNode))")
                continue
            }
            let key = keyScalar.string
            let childField = child(of: field, key: key, node: valueNode)
            if !keys.contains(key) {
                let path = childField.path
                if let reason = misplaced[key] {
                    diagnostics.error(.unknownKey, at: keyLocation, path: path, "`\(key)` is not allowed here", allowed: reason)
                } else {
                    diagnostics.error(.unknownKey, at: keyLocation, path: path, "unknown key `\(key)`",
                                      allowed: KeySuggestion.hint(for: key, among: keys))
                }
                continue
            }
            entries.append((key, keyLocation, childField))
        }
        return MappingFields(entries: entries, field: field)
    }

    /// The mapping at `field` with any keys (node names, sysctl keys), in file order.
    func anyMapping(_ field: Field, what: String) -> MappingFields? {
        guard case .mapping(let mapping) = field.node else {
            diagnostics.error(.syntax, at: field.location, path: field.path, "expected \(what), found \(describe(field.node))")
            return nil
        }
        var entries: [(key: String, keyLocation: LabLocation, field: Field)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                diagnostics.error(.syntax, at: location(of: keyNode), path: field.path, "a key must be text, found \(describe(keyNode))")
                continue
            }
            entries.append((keyScalar.string, location(of: keyNode), child(of: field, key: keyScalar.string, node: valueNode)))
        }
        return MappingFields(entries: entries, field: field)
    }

    /// The items of the list at `field`; nil (and an error) if it is not a list.
    func sequence(_ field: Field, what: String = "a list") -> [Field]? {
        guard case .sequence(let sequence) = field.node else {
            diagnostics.error(.syntax, at: field.location, path: field.path, "expected \(what), found \(describe(field.node))")
            return nil
        }
        return sequence.enumerated().map { index, node in
            Field(node: node, path: "\(field.path)[\(index)]", location: location(of: node))
        }
    }

    /// A single item or a list of items (`nodes: gpu0` or `nodes: [gpu0, gpu1]`).
    func oneOrMany(_ field: Field) -> [Field] {
        if case .sequence = field.node { return sequence(field) ?? [] }
        return [field]
    }

    // MARK: Scalars

    /// The text of a scalar; nil (and an error) for lists, mappings and null.
    func scalar(_ field: Field, what: String) -> String? {
        guard case .scalar(let scalar) = field.node, !field.isNull else {
            diagnostics.error(.syntax, at: field.location, path: field.path, "expected \(what), found \(describe(field.node))")
            return nil
        }
        return scalar.string
    }

    func bool(_ field: Field) -> Bool? {
        guard let text = scalar(field, what: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            diagnostics.error(.badValue, at: field.location, path: field.path, "\"\(text)\" is not true or false", allowed: "use true or false")
            return nil
        }
    }

    func integer(_ field: Field, in range: ClosedRange<Int>, what: String) -> Int? {
        guard let text = scalar(field, what: what) else { return nil }
        guard let value = Int(text) else {
            diagnostics.error(.badValue, at: field.location, path: field.path, "\"\(text)\" is not \(what)",
                              allowed: "use a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(.badValue, at: field.location, path: field.path, "\(value) is out of range",
                              allowed: "use a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func seed(_ field: Field) -> UInt64? {
        guard let text = scalar(field, what: "a seed") else { return nil }
        guard let value = UInt64(text) else {
            diagnostics.error(.badValue, at: field.location, path: field.path, "\"\(text)\" is not a seed",
                              allowed: "use a whole number from 0 to \(UInt64.max)")
            return nil
        }
        return value
    }

    /// A value parsed by a unit type (`Bitrate(parsing:)`, `DurationSyntax.parse`, ...).
    func unit<T>(_ field: Field, what: String, _ parse: (String) throws(UnitSyntaxError) -> T) -> Located<T>? {
        guard let text = scalar(field, what: what) else { return nil }
        do {
            return field.located(try parse(text))
        } catch {
            diagnostics.error(.badValue, at: field.location, path: field.path, error.message, allowed: error.allowed)
            return nil
        }
    }

    /// One of a closed set of words (`kernel`, `userspace`, `auto`).
    func word<E: RawRepresentable & CaseIterable>(_ field: Field, what: String, as type: E.Type) -> Located<E>?
    where E.RawValue == String {
        guard let text = scalar(field, what: what) else { return nil }
        guard let value = E(rawValue: text) else {
            let choices = E.allCases.map(\.rawValue)
            var allowed = "use " + choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
            if let near = KeySuggestion.closest(to: text, among: choices) { allowed = "did you mean `\(near)`? " + allowed }
            diagnostics.error(.badValue, at: field.location, path: field.path, "\"\(text)\" is not \(what)", allowed: allowed)
            return nil
        }
        return field.located(value)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return "nothing" }
            return "\"\(scalar.string)\""
        }
    }

    // MARK: Raw values for plugins

    func locatedValue(_ field: Field) -> LocatedValue {
        switch field.node {
        case .scalar(let scalar):
            return LocatedValue(field.isNull ? .null : .scalar(scalar.string), at: field.location, path: field.path)
        case .sequence:
            let items = (sequence(field) ?? []).map(locatedValue)
            return LocatedValue(.sequence(items), at: field.location, path: field.path)
        case .mapping:
            let entries = (anyMapping(field, what: "a mapping")?.entries ?? []).map {
                ParamEntry(key: $0.key, keyLocation: $0.keyLocation, value: locatedValue($0.field))
            }
            return LocatedValue(.mapping(entries), at: field.location, path: field.path)
        case .alias:
            return LocatedValue(.null, at: field.location, path: field.path)
        }
    }
}
