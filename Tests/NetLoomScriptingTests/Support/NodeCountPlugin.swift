import NetLoom

/// A script's own plugin: records how many nodes it was given, as a headline figure.
struct NodeCountPlugin: TrafficPlugin {
    static let name = "node-count"
    static let summary = "records the number of its nodes"
    static let parameters: [ParameterSpec] = []

    let nodes: Int

    init(parameters: PluginParameters) throws(LabError) {
        nodes = parameters.nodes.count
    }

    func run(in context: PluginContext) async throws {
        context.metrics.result("nodes", Double(nodes), unit: "nodes", headline: true)
    }
}
