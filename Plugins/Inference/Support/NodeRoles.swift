import NetLoomModel
import NetLoomPluginAPI

/// Reads a parameter that names some of the workload's nodes (`prefill: [p1, p2]`).
func roleNodes(_ name: String, in parameters: PluginParameters) throws(LabError) -> [String] {
    let names = parameters.strings(name)
    for node in names where !parameters.nodes.contains(node) {
        throw parameters.error("\(node) is not one of the workload's nodes", for: name, allowed: parameters.nodes.joined(separator: ", "))
    }
    if Set(names).count != names.count { throw parameters.error("a node is listed twice", for: name) }
    return names
}
