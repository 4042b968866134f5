import NetLoomModel

/// A traffic generator: one type per kind of workload (`plugin: bulk` in a lab file).
///
/// The runner validates the lab file's `params` against `parameters` before anything
/// is built (a bad or unknown parameter is a lab-file error with its line and column),
/// makes the plugin with the typed values, and calls `run(in:)` once the lab is up. A
/// plugin opens sockets and starts programs only through its context, never calls
/// setns or netlink, records what it measures in `context.metrics`, and returns when
/// its work (or `context.deadline`) is done. Throwing marks the workload failed.
///
/// ```swift
/// struct Ping: TrafficPlugin {
///     static let name = "ping"
///     static let summary = "Round trips between two nodes."
///     static let parameters = [ParameterSpec("count", .integer(1...1_000_000), default: "10", help: "round trips")]
///     let count: Int
///     init(parameters: PluginParameters) throws(LabError) {
///         try parameters.requireNodes(exactly: 2)
///         count = parameters.int("count")
///     }
///     func run(in context: PluginContext) async throws { ... }
/// }
/// ```
public protocol TrafficPlugin: Sendable {
    /// The name lab files use.
    static var name: String { get }
    /// One line for `netloom plugins`.
    static var summary: String { get }
    /// The parameters and their types; `params` keys not listed here are errors.
    static var parameters: [ParameterSpec] { get }

    /// Checks what the schema cannot (node counts, combinations) and keeps the values.
    init(parameters: PluginParameters) throws(LabError)

    /// Generates the traffic and records the measurements.
    func run(in context: PluginContext) async throws
}

extension TrafficPlugin {
    /// Validates a workload's parameters and makes the plugin; every problem is a
    /// located lab-file error.
    public static func make(
        params: LocatedValue?, nodes: [String], location: LabLocation, path: String
    ) throws(LabErrors) -> Self {
        let values = try ParameterSchema(parameters).validate(params, nodes: nodes, location: location, path: path)
        do {
            return try Self(parameters: values)
        } catch {
            throw LabErrors([error])
        }
    }
}
