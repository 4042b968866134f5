import NetLoomModel

/// The plugins a netloom program knows: the CLI registers the built-in ones at start;
/// a Swift program using NetLoom as a library registers its own.
public struct PluginRegistry: Sendable {
    public private(set) var plugins: [String: any TrafficPlugin.Type] = [:]

    public init(_ plugins: [any TrafficPlugin.Type] = []) {
        for plugin in plugins { register(plugin) }
    }

    public mutating func register(_ plugin: any TrafficPlugin.Type) {
        plugins[plugin.name] = plugin
    }

    public subscript(name: String) -> (any TrafficPlugin.Type)? { plugins[name] }

    public var names: [String] { plugins.keys.sorted() }

    /// Makes the plugin of every workload of a lab, validating all their parameters;
    /// every problem of every workload is reported together.
    public func instantiate(_ lab: ResolvedLab) throws(LabErrors) -> [any TrafficPlugin] {
        var made: [any TrafficPlugin] = []
        var errors: [LabError] = []
        for workload in lab.workloads {
            guard let type = plugins[workload.plugin] else {
                errors.append(LabError(
                    .plugin, at: workload.location, path: "\(workload.path).plugin", "no plugin named `\(workload.plugin)`",
                    allowed: KeySuggestion.hint(for: workload.plugin, among: names)))
                continue
            }
            do {
                made.append(try type.make(
                    params: workload.params, nodes: workload.nodes, location: workload.location, path: "\(workload.path).params"))
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw LabErrors(errors) }
        return made
    }
}
