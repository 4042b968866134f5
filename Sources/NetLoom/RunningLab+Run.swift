// NetLoom / Scripting: running workloads on a script's lab with the runner `netloom run` uses (its
// `run(on:)`: the lab stays up), each run into its own results folder inside the lab's.

import Foundation

extension RunningLab {
    /// Runs `workloads` side by side (with the samplers, but not the lab file's timeline: the script
    /// changes links itself) and returns their summary records. Each run's results folder is
    /// `resultsFolder/NN-LABEL` (label: the plugins' names unless given). `warmUp` first lets every
    /// workload's nodes resolve their neighbours and waits two longest RTTs.
    ///
    /// Throws `LabErrors` (nothing run) for unknown plugins, nodes or parameters, `ScriptError.runFailed`
    /// when a workload failed (the error holds the result), and `CancellationError` when the task was
    /// cancelled (the lab is left up for `withLab` to take down).
    public func run(_ workloads: [Workload], label: String? = nil, warmUp: Bool = true) async throws -> RunResult {
        try checkUp()
        let runText = try LabText.withWorkloads(text, workloads, file: lab.file)
        var runLab = try ResolvedLab.parse(yaml: runText, file: lab.file, checkFiles: true)
        return try await execute(&runLab, text: runText, label: label ?? workloads.map(\.plugin).joined(separator: "+"), warmUp: warmUp)
    }

    /// Runs one workload (see `run(_:label:warmUp:)`).
    public func run(_ workload: Workload, label: String? = nil, warmUp: Bool = true) async throws -> RunResult {
        try await run([workload], label: label, warmUp: warmUp)
    }

    /// Runs `plugin` on `nodes` (see `run(_:label:warmUp:)`):
    /// `lab.run("bulk", on: ["h1", "far"], params: ["time": "2s"])`.
    public func run(
        _ plugin: String, on nodes: [String], params: [String: WorkloadParameter] = [:], label: String? = nil,
        warmUp: Bool = true
    ) async throws -> RunResult {
        try await run([Workload(plugin, nodes: nodes, params: params)], label: label, warmUp: warmUp)
    }

    /// Runs the lab file's own workloads and timeline, as `netloom run` would on this lab (a timeline's
    /// `set`s leave the links changed).
    public func runLabWorkloads(label: String? = nil, warmUp: Bool = true) async throws -> RunResult {
        try checkUp()
        var runLab = lab
        let result = try await execute(&runLab, text: text, label: label ?? "lab", warmUp: warmUp)
        if runLab.timeline.contains(where: { if case .set = $0.action { false } else { true } }) {
            await session.invalidate("a timeline took links down and up")
        }
        return result
    }

    /// Runs `runLab`'s workloads on the lab that is up. Its links get the shaping they have now, so the
    /// run's lab.json says what the workloads ran over.
    func execute(_ runLab: inout ResolvedLab, text runText: String, label: String, warmUp: Bool) async throws -> RunResult {
        var state = try LabState.load(lab: name)
        for planned in state.links {
            guard let index = runLab.links.firstIndex(where: { $0.name == planned.name }) else { continue }
            runLab.links[index].aToB = planned.aToB
            runLab.links[index].bToA = planned.bToA
        }
        // The runner plays the timeline of the state's lab: give it the run's lab (a script's own
        // workloads have no timeline). The state is a copy; the one saved is untouched.
        state.lab = runLab
        var runOptions = RunOptions()
        runOptions.resultsFolder = try nextRunFolder(label)
        runOptions.sampleInterval = options.sampleInterval
        runOptions.grace = options.grace
        runOptions.machine = session.machine
        runOptions.warmUp = warmUp
        let runner = LabRunner(lab: runLab, labText: runText, registry: options.plugins, options: runOptions, logger: options.logger)
        let outcome = try await runner.run(on: state)
        let result = RunResult(status: outcome.status, folder: outcome.resultsPath ?? runOptions.resultsFolder!, summary: outcome.summary)
        switch outcome.status {
        case .succeeded:
            return result
        case .interrupted:
            await session.invalidate("a run was interrupted")
            throw CancellationError()
        case .workloadFailed, .failed:
            await session.invalidate("a run \(outcome.status.rawValue)")
            throw ScriptError.runFailed(result)
        }
    }

    /// `resultsFolder/NN-label`, making the lab's folder at the first run.
    func nextRunFolder(_ label: String) throws -> String {
        let folder = try resultsFolder ?? makeResultsFolder()
        resultsFolder = folder
        runCount += 1
        let safe = String(label.map { $0.isLetter || $0.isNumber || "-_.+".contains($0) ? $0 : "_" })
        return "\(folder)/\(String(format: "%02d", runCount))-\(safe.isEmpty ? "run" : safe)"
    }

    /// `<resultsRoot>/<lab>-<UTC time>` (with `-2`, `-3`, ... when that exists already).
    func makeResultsFolder() throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "\(options.resultsRoot)/\(name)-\(formatter.string(from: Date()))"
        try FileManager.default.createDirectory(atPath: options.resultsRoot, withIntermediateDirectories: true)
        var candidate = base
        var suffix = 1
        while FileManager.default.fileExists(atPath: candidate) {
            suffix += 1
            candidate = "\(base)-\(suffix)"
        }
        try FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: false)
        return candidate
    }
}
