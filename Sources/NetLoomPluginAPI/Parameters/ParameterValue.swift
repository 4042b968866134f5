import NetLoomModel

/// A validated parameter value, typed by its spec.
public indirect enum ParameterValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case duration(Duration)
    case bitrate(Bitrate)
    case size(ByteCount)
    case percent(Percent)
    case list([ParameterValue])

    public var description: String {
        switch self {
        case .string(let value): value
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .duration(let value): DurationSyntax.format(value)
        case .bitrate(let value): value.description
        case .size(let value): value.description
        case .percent(let value): value.description
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// A workload's parameters after validation, with the nodes it runs on.
public struct PluginParameters: Sendable {
    public let values: [String: ParameterValue]
    /// The workload's nodes in the order written: rank i is `nodes[i]`.
    public let nodes: [String]
    /// Where each given parameter was written (for errors the plugin raises).
    let locations: [String: LocatedValue]
    /// The workload's `params` (or the workload itself when it has none); its `file` is the lab
    /// file, against which plugins resolve relative paths.
    public let location: LabLocation
    let path: String

    public init(values: [String: ParameterValue], nodes: [String], locations: [String: LocatedValue] = [:],
                location: LabLocation = LabLocation(file: "<code>", line: 1, column: 1), path: String = "params") {
        self.values = values
        self.nodes = nodes
        self.locations = locations
        self.location = location
        self.path = path
    }

    public func string(_ name: String) -> String { if case .string(let v)? = values[name] { v } else { missing(name) } }
    public func int(_ name: String) -> Int { if case .integer(let v)? = values[name] { v } else { missing(name) } }
    public func double(_ name: String) -> Double { if case .number(let v)? = values[name] { v } else { missing(name) } }
    public func bool(_ name: String) -> Bool { if case .bool(let v)? = values[name] { v } else { missing(name) } }
    public func duration(_ name: String) -> Duration { if case .duration(let v)? = values[name] { v } else { missing(name) } }
    public func bitrate(_ name: String) -> Bitrate { if case .bitrate(let v)? = values[name] { v } else { missing(name) } }
    public func size(_ name: String) -> ByteCount { if case .size(let v)? = values[name] { v } else { missing(name) } }
    public func percent(_ name: String) -> Percent { if case .percent(let v)? = values[name] { v } else { missing(name) } }
    public func list(_ name: String) -> [ParameterValue] { if case .list(let v)? = values[name] { v } else { missing(name) } }
    public func has(_ name: String) -> Bool { values[name] != nil }

    public func sizes(_ name: String) -> [ByteCount] { list(name).compactMap { if case .size(let v) = $0 { v } else { nil } } }
    public func durations(_ name: String) -> [Duration] { list(name).compactMap { if case .duration(let v) = $0 { v } else { nil } } }
    public func strings(_ name: String) -> [String] { list(name).compactMap { if case .string(let v) = $0 { v } else { nil } } }
    public func optionalBitrate(_ name: String) -> Bitrate? { has(name) ? bitrate(name) : nil }
    public func optionalDuration(_ name: String) -> Duration? { has(name) ? duration(name) : nil }
    public func optionalString(_ name: String) -> String? { has(name) ? string(name) : nil }

    /// A lab-file error about parameter `name` (at its line and column when it was
    /// written, else at the workload's `params`).
    public func error(_ message: String, for name: String? = nil, allowed: String = "") -> LabError {
        if let name, let located = locations[name] { return located.error(message, allowed: allowed) }
        return LabError(.plugin, at: location, path: path, message, allowed: allowed)
    }

    /// Throws unless the workload runs on `count` nodes (or at least / at most).
    public func requireNodes(exactly count: Int? = nil, atLeast minimum: Int? = nil, atMost maximum: Int? = nil) throws(LabError) {
        let n = nodes.count
        if let count, n != count { throw error("runs on exactly \(count) nodes, got \(n)", allowed: "list \(count) nodes in `nodes`") }
        if let minimum, n < minimum { throw error("needs at least \(minimum) nodes, got \(n)", allowed: "list more nodes in `nodes`") }
        if let maximum, n > maximum { throw error("takes at most \(maximum) nodes, got \(n)") }
    }

    private func missing(_ name: String) -> Never {
        preconditionFailure("parameter \(name) was read with the wrong type or is not in the plugin's schema")
    }
}
