// Plugins/Training: `allreduce`, nccl-tests' all_reduce_perf: the collective plugin with its operation fixed.

import NetLoomModel
import NetLoomPluginAPI

/// `allreduce`: the collective plugin with the operation fixed to all_reduce.
public struct AllReducePlugin: TrafficPlugin {
    public static let name = "allreduce"
    public static let summary = "nccl-tests' all_reduce_perf over TCP (the collective plugin with operation all_reduce)."
    public static let parameters = CollectivePlugin.shared
    let plugin: CollectivePlugin

    public init(parameters: PluginParameters) throws(LabError) {
        plugin = try CollectivePlugin(parameters: parameters, operation: .allReduce)
    }

    public func run(in context: PluginContext) async throws { try await plugin.run(in: context) }
}
