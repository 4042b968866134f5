// NetLoom / Scripting: how `withLab` runs a lab: which plugins it knows, where results go, how often
// the network is sampled.

import BaselinePlugins
import ExamplePlugins
import InferencePlugins
import Logging
import NetLoomKernel
import TrainingPlugins

/// Options of `withLab`.
public struct ScriptOptions: Sendable {
    /// The plugins workloads may name (the CLI's built-in ones unless changed).
    public var plugins: PluginRegistry = .builtIn
    /// Where the lab's results folder goes: `<resultsRoot>/<lab>-<UTC time>/`, one folder per run inside.
    public var resultsRoot = "results"
    /// How often links and TCP connections are sampled during a run.
    public var sampleInterval: Duration = .seconds(1)
    /// How long a workload may run past its deadline before it is cancelled.
    public var grace: Duration = .seconds(10)
    /// Log messages go here; the library never bootstraps logging. Warnings and errors by default.
    public var logger: Logger = {
        var logger = Logger(label: "netloom")
        logger.logLevel = .warning
        return logger
    }()
    /// This machine's capabilities, if probed already (probing creates a throwaway namespace).
    public var machine: MachineCapabilities?

    public init() {}
}

extension PluginRegistry {
    /// The plugins `netloom run` knows: baseline, example, training and inference.
    public static let builtIn = PluginRegistry(BaselinePlugins.all + ExamplePlugins.all + TrainingPlugins.all + InferencePlugins.all)
}
