// NetLoom / Scripting: what `RunningLab.run` returns: the run's summary records (the same as summary.json)
// and where its results folder is, with lookups for the figures a script usually wants.

/// One run of workloads on a running lab.
public struct RunResult: Sendable {
    public var status: RunStatus
    /// The run's results folder (layout: docs/results.md).
    public var folder: String
    /// summary.json as a value.
    public var summary: RunSummary

    /// One record per workload, in the order they were given.
    public var workloads: [WorkloadSummary] { summary.workloads }

    /// The first workload of `plugin` (nil: the first workload).
    public func workload(_ plugin: String? = nil) -> WorkloadSummary? {
        guard let plugin else { return workloads.first }
        return workloads.first { $0.plugin == plugin }
    }

    /// A figure of the first workload (`run["throughput"]?.value`): headline first, then every result.
    public subscript(figure: String) -> ResultRecord? {
        workload()?.figure(figure)
    }
}

extension WorkloadSummary {
    /// A final figure by name (`throughput`, `latency p50`): headline first, then every result.
    public func figure(_ name: String) -> ResultRecord? {
        headline[name] ?? results[name]
    }
}

/// Why a script's call failed.
public enum ScriptError: Error, CustomStringConvertible {
    /// A run ended with a failed workload or could not run; the result holds the summary and folder.
    case runFailed(RunResult)
    /// A program run with `exec` could not be started.
    case execFailed(node: String, program: String, reason: String)

    public var description: String {
        switch self {
        case .runFailed(let result):
            let failures = result.workloads.filter { $0.status != "ok" }
                .map { "\($0.index)-\($0.plugin): \($0.status)\($0.error.map { " (\($0))" } ?? "")" }
            let reason = ([result.summary.error].compactMap { $0 } + failures).joined(separator: "; ")
            return "the run \(result.status.rawValue)\(reason.isEmpty ? "" : ": \(reason)"); results in \(result.folder)"
        case .execFailed(let node, let program, let reason):
            return "could not run \(program) in \(node): \(reason)"
        }
    }
}
