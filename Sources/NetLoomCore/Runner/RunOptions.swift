import Foundation
import NetLoomKernel

/// How `netloom run` runs a lab.
public struct RunOptions: Sendable {
    /// Where results folders go (`results/<lab>-<UTC time>/`).
    public var resultsRoot: String = "results"
    /// How often links and TCP connections are sampled.
    public var sampleInterval: Duration = .seconds(1)
    /// How long a workload may run past its `duration` before it is cancelled and,
    /// if it still does not return, marked as overrunning.
    public var grace: Duration = .seconds(10)
    /// The command line, for environment.json.
    public var commandLine: [String] = CommandLine.arguments
    /// The results folder itself (written as `.<name>.partial` beside it and renamed
    /// when the run is over), instead of `<resultsRoot>/<lab>-<UTC time>`.
    public var resultsFolder: String?
    /// Whether every node of a workload sends its peers a datagram and the run waits
    /// two longest RTTs before the workloads start (neighbour discovery done before
    /// anything is measured). A suite turns it off for a lab that stays up between
    /// runs of the same workloads, whose neighbours are already resolved.
    public var warmUp = true
    /// This machine's capabilities, when the caller has probed them already (a probe
    /// creates a namespace, which a suite need not pay for every run).
    public var machine: MachineCapabilities?

    public init() {}
}

/// How a run ended; also the CLI's exit code.
public enum RunStatus: String, Codable, Sendable {
    case succeeded
    /// A workload threw, overran its deadline, or a program it ran failed.
    case workloadFailed = "workload-failed"
    /// SIGINT or SIGTERM.
    case interrupted
    /// The lab could not be built or run (see `error` in summary.json).
    case failed
}

/// What the runner reports as it goes (the CLI draws its progress from this).
public enum RunEvent: Sendable {
    case phase(String)
    case workloadStarted(index: Int, plugin: String)
    case workloadFinished(index: Int, plugin: String, status: String)
    case timeline(String)
    /// Periodic: elapsed run time, the expected total if known, and each running
    /// workload's latest progress figure.
    case tick(elapsed: Duration, total: Duration?, figures: [ProgressFigure])
}

/// A running workload's latest progress figure.
public struct ProgressFigure: Sendable {
    public var workload: Int
    public var name: String
    public var value: Double
    public var unit: String
}
