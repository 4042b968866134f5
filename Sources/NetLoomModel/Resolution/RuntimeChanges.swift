// Lab model / Resolution: changes to a running lab's links (`netloom set`), resolved exactly as timeline
// `set` events are, so they get the same validation, layering and queue sizing.

import Yams

/// One `netloom set` call: link fields as `key=value` words, where a key may be a direction's
/// (`from_a.rate`, `from_b.delay`).
public struct LinkChange: Sendable, Hashable, Codable {
    public var link: String
    public var fields: [Field]

    public struct Field: Sendable, Hashable, Codable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(link: String, fields: [Field]) {
        self.link = link
        self.fields = fields
    }

    /// Parses `delay=20ms from_b.rate=1gbit`; nil with the offending word if one has no `=`.
    public static func parse(link: String, words: [String]) -> (change: LinkChange?, badWord: String?) {
        var fields: [Field] = []
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return (nil, word) }
            fields.append(Field(key: String(word[..<equals]), value: String(word[word.index(after: equals)...])))
        }
        return (LinkChange(link: link, fields: fields), nil)
    }
}

extension ResolvedLab {
    /// The shaping of each changed link after `changes`, applied in order on top of the lab as written in
    /// `labText` (earlier changes included), exactly as timeline `set` events at time zero would be.
    /// Errors name the change's field path (e.g. `timeline[0].set.from_b.rate`).
    public static func shaping(
        after changes: [LinkChange], labText: String, file: String
    ) throws(LabErrors) -> [String: (aToB: Impairment, bToA: Impairment)] {
        let yaml: String
        do {
            yaml = try labWithTimeline(labText, changes: changes)
        } catch {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: file, line: 1, column: 1), path: "",
                                      "could not apply the change: \(error)")])
        }
        let lab = try LabResolver.resolve(yaml: yaml, file: file, checkFiles: true)
        var result: [String: (aToB: Impairment, bToA: Impairment)] = [:]
        for event in lab.timeline {
            if case .set(let aToB, let bToA) = event.action { result[event.link] = (aToB, bToA) }
        }
        return result
    }

    /// The lab text with its timeline replaced by one `set` event at 0s per change.
    static func labWithTimeline(_ labText: String, changes: [LinkChange]) throws -> String {
        guard case .mapping(var root)? = try Yams.compose(yaml: labText) else {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: "<lab>", line: 1, column: 1), path: "", "not a lab")])
        }
        root[Node("timeline")] = nil
        var events: [Node] = []
        for change in changes {
            var set = Node.Mapping([])
            for field in change.fields {
                let parts = field.key.split(separator: ".", maxSplits: 1).map(String.init)
                if parts.count == 2 {
                    var direction = set[Node(parts[0])]?.mapping ?? Node.Mapping([])
                    direction[Node(parts[1])] = Node(field.value)
                    set[Node(parts[0])] = .mapping(direction)
                } else {
                    set[Node(field.key)] = Node(field.value)
                }
            }
            events.append(.mapping(Node.Mapping([
                (Node("at"), Node("0s")), (Node("link"), Node(change.link)), (Node("set"), .mapping(set)),
            ])))
        }
        root[Node("timeline")] = .sequence(Node.Sequence(events))
        return try Yams.serialize(node: .mapping(root))
    }
}
