// Suites / Runner: `netloom suite`: every run of a suite on one lab session, changing the lab in place
// between points when only shaping changes and rebuilding it otherwise; the aggregate table rewritten
// after every run; interruption leaves a folder that `--resume` continues without redoing finished runs.

import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// How `netloom suite` runs a suite.
public struct SuiteOptions: Sendable {
    /// Where suite folders go (`<root>/<suite>-<UTC time>/`).
    public var resultsRoot = "results"
    /// The suite folder itself (new, or with `resume` an existing one).
    public var folder: String?
    /// Continue the newest folder of this suite (or `folder`), skipping finished runs.
    public var resume = false
    /// With `resume`, also run again the runs whose workloads failed.
    public var retryFailed = false
    /// Take the lab down and build it again between every two runs (the benchmark's baseline).
    public var alwaysRebuild = false
    public var sampleInterval: Duration = .seconds(1)
    public var grace: Duration = .seconds(10)
    public var commandLine: [String] = CommandLine.arguments
    /// This machine's capabilities, if probed already.
    public var machine: MachineCapabilities?

    public init() {}
}

/// Where the suite stands.
public struct SuiteProgress: Sendable {
    /// Runs finished (in earlier invocations too) and in all.
    public var done: Int
    public var total: Int
    /// Since this invocation started.
    public var elapsed: Duration
    /// Estimated time to the end of the suite (nil until there is a basis for it).
    public var remaining: Duration?
    /// The run in progress, and how long it has run.
    public var current: SuiteRun?
    public var currentElapsed: Duration?
}

/// What the suite runner reports as it goes (the CLI draws its progress from this).
public enum SuiteEvent: Sendable {
    /// The folder is ready: how many runs there are and how many were done before.
    case opened(folder: String, total: Int, done: Int, resumed: Bool, notes: [String])
    case transition(SuiteRun, LabTransition)
    case runStarted(SuiteRun)
    /// The runner's own events during a run.
    case run(SuiteRun, RunEvent)
    case runFinished(SuiteRun, status: RunStatus, seconds: Double, folder: String)
    case progress(SuiteProgress)
}

/// How a suite invocation ended.
public enum SuiteStatus: String, Sendable, Codable {
    /// Every run is done.
    case completed
    /// Some runs' workloads failed, or runs could not be built; the others are done.
    case completedWithFailures = "completed-with-failures"
    /// Stopped by SIGINT/SIGTERM; resume to finish.
    case interrupted
}

/// The time between two runs: from the end of one run to the start of the next one's workloads.
public struct RunOverhead: Sendable, Codable {
    public var run: String
    /// built, unchanged, in-place, rebuilt.
    public var transition: String
    public var transitionSeconds: Double
    public var overheadSeconds: Double
}

public struct SuiteOutcome: Sendable {
    public var status: SuiteStatus
    public var folder: String
    public var table: SuiteTable
    /// Runs this invocation ran, skipped (done before) and that failed.
    public var ran: Int
    public var skipped: Int
    public var failed: Int
    /// Between consecutive runs of this invocation.
    public var overheads: [RunOverhead]
}

/// Runs a suite. Throws `LabErrors` (nothing run) when a point's lab or plugin parameters are wrong,
/// `SuiteError` for a folder that cannot be used, `CoreError.needsPrivileges` without root.
public final class SuiteRunner: Sendable {
    let suite: Suite
    let registry: PluginRegistry
    let options: SuiteOptions
    let logger: Logger
    let report: @Sendable (SuiteEvent) -> Void

    public init(
        suite: Suite, registry: PluginRegistry, options: SuiteOptions = SuiteOptions(), logger: Logger,
        report: @escaping @Sendable (SuiteEvent) -> Void = { _ in }
    ) {
        self.suite = suite
        self.registry = registry
        self.options = options
        self.logger = logger
        self.report = report
    }

    public func run() async throws -> SuiteOutcome {
        let labs = try suite.labs(registry: registry)
        let machine = options.machine ?? MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw CoreError.needsPrivileges("running a suite") }
        try suite.checkPlans(labs, machine: machine)

        let (folder, manifest) = try openFolder()
        let notes = try folder.tidy(runs: manifest.runs, retryFailed: options.retryFailed)
        let pending = labs.filter { folder.state(of: "runs/\($0.run.folder)") == .absent }
        let total = labs.count
        var done = total - pending.count
        report(.opened(folder: folder.path, total: total, done: done, resumed: options.resume, notes: notes))

        let session = LabSession(logger: logger, machine: machine)
        let started = ContinuousClock.now
        var overheads: [RunOverhead] = []
        var ran = 0, failed = 0
        var previous: (lab: ResolvedLab, ended: ContinuousClock.Instant, status: RunStatus)?
        var runDurations: [Double] = []
        var interrupted = false
        let estimate = Self.estimatedRunSeconds(labs.first?.lab)

        do {
            for (position, runLab) in pending.enumerated() {
                if Task.isCancelled {
                    interrupted = true
                    break
                }
                let run = runLab.run
                let runFolder = "runs/\(run.folder)"
                let runStart = ContinuousClock.now
                let workloadsStarted = Mutex<ContinuousClock.Instant?>(nil)
                let pendingAfter = pending.count - position - 1
                let transition: LabTransition
                let outcome: RunOutcome
                do {
                    transition = try await session.apply(runLab.lab, text: runLab.text, rebuild: options.alwaysRebuild && previous != nil)
                    report(.transition(run, transition))
                    report(.runStarted(run))

                    var runOptions = RunOptions()
                    runOptions.resultsFolder = folder.runPath(runFolder)
                    runOptions.sampleInterval = options.sampleInterval
                    runOptions.grace = options.grace
                    runOptions.commandLine = options.commandLine
                    // A lab kept up for the same workloads has its neighbours resolved already.
                    runOptions.warmUp = !(transition.keptUp && previous.map {
                        $0.status != .failed && Self.workloadNodes($0.lab) == Self.workloadNodes(runLab.lab)
                    } ?? false)
                    let doneBefore = done
                    let mean = runDurations.isEmpty ? estimate : runDurations.reduce(0, +) / Double(runDurations.count)
                    outcome = try await session.run(registry: registry, options: runOptions) { [report] event in
                        if case .phase("workloads") = event { workloadsStarted.withLock { $0 = ContinuousClock.now } }
                        report(.run(run, event))
                        guard case .tick(let elapsed, _, _) = event else { return }
                        var remaining: Duration?
                        if let mean {
                            let current = max(0, mean - Self.seconds(ContinuousClock.now - runStart))
                            remaining = .milliseconds(Int64((current + mean * Double(pendingAfter)) * 1000))
                        }
                        report(.progress(SuiteProgress(
                            done: doneBefore, total: total, elapsed: ContinuousClock.now - started, remaining: remaining, current: run,
                            currentElapsed: elapsed)))
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // The lab could not be built or the run could not start: this run failed (resume
                    // runs it again), the lab is rebuilt for the next one, and the suite goes on.
                    logger.error("run failed", metadata: ["run": "\(run.folder)", "error": "\(error)"])
                    await session.invalidate("the previous run failed")
                    previous = nil
                    failed += 1
                    report(.runFinished(run, status: .failed, seconds: Self.seconds(ContinuousClock.now - runStart), folder: runFolder))
                    continue
                }
                let ended = ContinuousClock.now
                let seconds = Self.seconds(ended - runStart)
                let overhead = previous.flatMap { previous in workloadsStarted.withLock { $0 }.map { Self.seconds($0 - previous.ended) } }
                if let overhead {
                    overheads.append(RunOverhead(
                        run: run.folder, transition: transition.word, transitionSeconds: transition.seconds, overheadSeconds: overhead))
                }
                previous = (runLab.lab, ended, outcome.status)

                if outcome.status == .interrupted || Task.isCancelled {
                    interrupted = true
                    try? folder.tidy(runs: [runFolder], retryFailed: false).forEach { logger.notice("\($0)") }
                    report(.runFinished(run, status: .interrupted, seconds: seconds, folder: runFolder))
                    break
                }
                var detail: String?
                if case .rebuilt(let reason) = transition.kind { detail = reason }
                try? folder.record(SuiteRunRecord(
                    point: run.point.id, repetition: run.repetition,
                    values: Dictionary(uniqueKeysWithValues: run.point.assignments.map { ($0.axis.name, $0.value.text) }), seed: run.seed,
                    transition: transition.word, transitionDetail: detail, transitionSeconds: transition.seconds,
                    overheadSeconds: overhead, seconds: seconds), run: runFolder)
                ran += 1
                done += 1
                if outcome.status != .succeeded { failed += 1 }
                runDurations.append(seconds)
                report(.runFinished(run, status: outcome.status, seconds: seconds, folder: runFolder))
                let average = runDurations.reduce(0, +) / Double(runDurations.count)
                report(.progress(SuiteProgress(
                    done: done, total: total, elapsed: ContinuousClock.now - started,
                    remaining: .milliseconds(Int64(average * Double(pendingAfter) * 1000)), current: nil, currentElapsed: nil)))
                try? SuiteTable(folder: folder, manifest: manifest).write(to: folder)
            }
        } catch {
            try? await session.down()
            try? SuiteTable(folder: folder, manifest: manifest).write(to: folder)
            throw error
        }
        var teardownError: (any Error)?
        do {
            try await session.down()
        } catch {
            logger.error("the suite's lab did not come down", metadata: ["error": "\(error)"])
            teardownError = error
        }
        let table = SuiteTable(folder: folder, manifest: manifest)
        try table.write(to: folder)
        // The results are written; a lab left up is still a failure (`netloom down` removes it).
        if let teardownError { throw teardownError }
        let status: SuiteStatus = interrupted ? .interrupted : (table.runs.contains { $0.status != "succeeded" } ? .completedWithFailures : .completed)
        return SuiteOutcome(status: status, folder: folder.path, table: table, ran: ran, skipped: total - pending.count, failed: failed,
                            overheads: overheads)
    }

    /// A new folder, or with `resume` the one to continue.
    func openFolder() throws -> (SuiteFolder, SuiteManifest) {
        if options.resume {
            if let path = options.folder {
                if !FileManager.default.fileExists(atPath: "\(path)/suite.json") {
                    return try SuiteFolder.create(suite: suite, root: options.resultsRoot, folder: path)
                }
                return try SuiteFolder.open(path, for: suite)
            }
            guard let path = SuiteFolder.latest(root: options.resultsRoot, for: suite) else {
                throw SuiteError.nothingToResume(suite: suite.name, root: options.resultsRoot)
            }
            return try SuiteFolder.open(path, for: suite)
        }
        return try SuiteFolder.create(suite: suite, root: options.resultsRoot, folder: options.folder)
    }

    /// The nodes each workload runs on, in order.
    static func workloadNodes(_ lab: ResolvedLab) -> [[String]] {
        lab.workloads.map(\.nodes)
    }

    /// A first guess of a run's length: the end of its last workload when every workload has a
    /// duration, plus a second for up and down.
    static func estimatedRunSeconds(_ lab: ResolvedLab?) -> Double? {
        guard let lab, !lab.workloads.isEmpty, lab.workloads.allSatisfy({ $0.duration != nil }) else { return nil }
        return lab.workloads.map { seconds(($0.start ?? .zero) + $0.duration!) }.max()! + 1
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
