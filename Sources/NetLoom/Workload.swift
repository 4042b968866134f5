// NetLoom / Scripting: a workload written in Swift, as a lab file's `workloads` entry would be. It becomes
// YAML inside the lab text, so plugins validate its parameters exactly as they do a lab file's.

import Yams

/// One workload: a plugin on some nodes, with its parameters.
///
///     Workload("rr", nodes: ["h1", "far"], params: ["time": "2s", "request": "1KiB"])
public struct Workload: Sendable, Hashable {
    public var plugin: String
    /// Node names, in the order the plugin reads them (for two-node plugins: from, to).
    public var nodes: [String]
    public var params: [String: WorkloadParameter]
    /// When it starts, from the start of the run (nil: at once).
    public var start: Duration?
    /// A deadline: the workload is cancelled this long after its start (plugins' own `time` usually ends it first).
    public var duration: Duration?

    public init(
        _ plugin: String, nodes: [String], params: [String: WorkloadParameter] = [:], start: Duration? = nil,
        duration: Duration? = nil
    ) {
        self.plugin = plugin
        self.nodes = nodes
        self.params = params
        self.start = start
        self.duration = duration
    }

    /// The lab file's spelling of this workload.
    var node: Node {
        var entries: [(Node, Node)] = [(Node("plugin"), Node(plugin)), (Node("nodes"), .sequence(Node.Sequence(nodes.map { Node($0) })))]
        if !params.isEmpty {
            entries.append((Node("params"), WorkloadParameter.map(params).node))
        }
        if let start { entries.append((Node("start"), Node(start.labDescription))) }
        if let duration { entries.append((Node("duration"), Node(duration.labDescription))) }
        return .mapping(Node.Mapping(entries))
    }
}

/// A workload parameter as a lab file writes it. Literals work (`"1MiB"`, `10`, `true`, `["1MiB", "64MiB"]`),
/// and units are spelled from their types: `.time(.seconds(2))`, `.size(.mebibytes(1))`, `.rate(.gbit(1))`.
public enum WorkloadParameter: Sendable, Hashable {
    case text(String)
    case integer(Int)
    case number(Double)
    case flag(Bool)
    case list([WorkloadParameter])
    case map([String: WorkloadParameter])

    public static func time(_ duration: Duration) -> Self { .text(duration.labDescription) }
    public static func size(_ size: ByteCount) -> Self { .text(size.description) }
    public static func rate(_ rate: Bitrate) -> Self { .text(rate.description) }

    var node: Node {
        switch self {
        case .text(let text): Node(text)
        case .integer(let value): Node("\(value)")
        case .number(let value): Node("\(value)")
        case .flag(let value): Node(value ? "true" : "false")
        case .list(let items): .sequence(Node.Sequence(items.map(\.node)))
        case .map(let entries):
            // Sorted, so the same parameters always make the same lab text.
            .mapping(Node.Mapping(entries.sorted { $0.key < $1.key }.map { (Node($0.key), $0.value.node) }))
        }
    }
}

extension WorkloadParameter: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    public init(arrayLiteral elements: WorkloadParameter...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, WorkloadParameter)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension LabText {
    /// The lab text with `workloads` replaced and its timeline removed: a script changes links itself.
    static func withWorkloads(_ text: String, _ workloads: [Workload], file: String) throws -> String {
        try edit(text, file: file) { root in
            root[Node("workloads")] = .sequence(Node.Sequence(workloads.map(\.node)))
            root[Node("timeline")] = nil
        }
    }
}
