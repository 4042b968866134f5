import ArgumentParser
import Foundation
import NetLoomCore
import NetLoomModel
import NetLoomReports
import NetLoomSuites
import Synchronization

struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run every point of a suite file (a lab swept over fields and plugin parameters), repeated, into one table (needs root).",
        discussion: """
            Runs the suite's points on one lab: when only link shaping changes between points the lab stays up \
            and the links change in place; otherwise it is rebuilt. Writes results/<suite>-<time>/ with a \
            results folder per run (runs/p01-r1/ ...), table.csv (a row per run), medians.csv (a row per \
            point: median, min, max and spread of each figure) and table.json. Ctrl-C stops after taking the \
            lab down; --resume continues without redoing finished runs. `netloom report FOLDER` draws the \
            figures against each swept field. Exit codes: 0 every run succeeded, 2 bad suite or lab file, \
            3 missing capability, 4 some runs failed, 130 interrupted, 1 anything else. See docs/suites.md.
            """)

    @Argument(help: "The suite file.")
    var file: String

    @Option(help: "Folder for suite folders.")
    var results = "results"

    @Option(help: "The suite folder itself (instead of <results>/<suite>-<time>); with --resume, the one to continue.")
    var folder: String?

    @Flag(help: "Continue the newest folder of this suite (or --folder), skipping finished runs.")
    var resume = false

    @Flag(help: "With --resume, run again the runs whose workloads failed.")
    var retryFailed = false

    @Flag(help: "Take the lab down and build it again between runs, even when only shaping changes.")
    var rebuild = false

    @Flag(help: "Check the suite and list its points and runs; run nothing (no root needed).")
    var dryRun = false

    @Option(help: "Seconds between samples of link counters and TCP connections.")
    var sampleInterval: Double = 1

    @Flag(help: "Print table.json at the end instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if retryFailed && !resume { throw ValidationError("--retry-failed goes with --resume") }
    }

    func run() async throws {
        let logger = global.logger()
        let suite: Suite
        do {
            suite = try Suite.load(path: file)
            if dryRun {
                let labs = try suite.labs(registry: Plugins.registry)
                print(SuiteText.plan(suite, runs: labs.count))
                return
            }
        } catch {
            throw Exit.report(error)
        }
        var options = SuiteOptions()
        options.resultsRoot = results
        options.folder = folder
        options.resume = resume
        options.retryFailed = retryFailed
        options.alwaysRebuild = rebuild
        options.sampleInterval = .milliseconds(Int64(max(sampleInterval, 0.05) * 1000))
        let progress = SuiteProgressDisplay(quiet: global.quiet || json)
        let runner = SuiteRunner(suite: suite, registry: Plugins.registry, options: options, logger: logger) { event in
            progress.show(event)
        }
        let task = Task { try await runner.run() }
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) {
            progress.note("interrupted: stopping the run and taking the lab down")
            task.cancel()
        }
        defer { withExtendedLifetime(signals) {} }
        let outcome: SuiteOutcome
        do {
            outcome = try await task.value
        } catch let error as SuiteError {
            progress.finish()
            printError("netloom: \(error)")
            throw Exit.badInput
        } catch {
            progress.finish()
            throw Exit.report(error)
        }
        progress.finish()
        if json {
            try printJSON(outcome.table)
        } else if !global.quiet {
            print(SuiteText.outcome(outcome, file: file))
        }
        switch outcome.status {
        case .completed: return
        case .completedWithFailures: throw ExitCode(4)
        case .interrupted: throw ExitCode(130)
        }
    }
}

/// The live progress of `netloom suite`: a line per finished run, and on a terminal one redrawn line
/// with the suite's progress and the time left.
final class SuiteProgressDisplay: Sendable {
    let quiet: Bool
    let terminal = isatty(STDERR_FILENO) == 1
    private let lastPlain = Mutex<ContinuousClock.Instant?>(nil)

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ event: SuiteEvent) {
        guard !quiet else { return }
        switch event {
        case .opened(let folder, let total, let done, let resumed, let notes):
            for note in notes { line("    \(note)", permanent: true) }
            let verb = resumed ? "resuming" : "writing"
            line("==> \(verb) \(folder): \(total) runs\(done > 0 ? ", \(done) done before" : "")", permanent: true)
        case .transition(let run, let transition):
            if case .rebuilt = transition.kind {
                line("    \(run.folder): lab \(transition.label) (\(Self.seconds(transition.seconds)))", permanent: true)
            }
        case .runStarted(let run):
            line("--> \(run.folder) \(run.point.label)", permanent: !terminal)
        case .run(_, .workloadFinished(let index, let plugin, let status)) where status != "ok":
            line("    workload \(index) (\(plugin)) \(status)", permanent: true)
        case .run:
            break
        case .runFinished(let run, let status, let seconds, _):
            line("    \(run.folder) \(run.point.label): \(status.rawValue) in \(Self.seconds(seconds))", permanent: true)
        case .progress(let progress):
            var text = "    [\(progress.done)/\(progress.total) \(progress.total == 0 ? 100 : progress.done * 100 / progress.total)%]"
            if let current = progress.current { text += " \(current.folder)" }
            if let elapsed = progress.currentElapsed { text += " \(Self.clock(elapsed))" }
            text += " | suite \(Self.clock(progress.elapsed))"
            if let remaining = progress.remaining { text += ", about \(Self.clock(remaining)) left" }
            if terminal {
                line(text, permanent: false)
            } else {
                let now = ContinuousClock.now
                let due = lastPlain.withLock { last -> Bool in
                    guard last.map({ now - $0 >= .seconds(30) }) ?? true else { return false }
                    last = now
                    return true
                }
                if due { line(text, permanent: true) }
            }
        }
    }

    func note(_ text: String) { if !quiet { line(text, permanent: true) } }

    func finish() { if terminal && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }

    private func line(_ text: String, permanent: Bool) {
        let prefix = terminal ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + text + (permanent || !terminal ? "\n" : "")).utf8))
    }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.1f s", value)
    }

    /// 75 s -> "1m15s".
    static func clock(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", total / 60 % 60))m"
    }
}

/// What `netloom suite` prints.
enum SuiteText {
    /// `--dry-run`: the axes, the points and the number of runs.
    static func plan(_ suite: Suite, runs: Int) -> String {
        var text = "suite \(suite.name): lab \(suite.base.name) (\(suite.labIsInline ? "in the suite file" : suite.labFile)), "
        text += "\(suite.points.count) point\(suite.points.count == 1 ? "" : "s") x \(suite.repetitions) repetition\(suite.repetitions == 1 ? "" : "s") = \(runs) runs"
        text += ", order \(suite.order.rawValue)"
        if let seed = suite.seed { text += ", seed \(seed.base) per \(seed.scope.rawValue)" }
        text += "\n\n"
        var axes = Table("AXIS", "FIELD", "VALUES")
        for axis in suite.axes {
            axes.add(axis.name, axis.target.canonical, axis.values.map(\.text).joined(separator: ", "))
        }
        text += axes.render(indent: "  ") + "\n\n"
        var points = Table()
        points.header = ["POINT"] + suite.axes.map { $0.name.uppercased() }
        for point in suite.points { points.add([point.id] + point.values.map(\.text)) }
        text += points.render(indent: "  ")
        return text
    }

    /// The end: medians per point, and where the results are.
    static func outcome(_ outcome: SuiteOutcome, file: String) -> String {
        let table = outcome.table
        var text = "suite \(table.suite): \(outcome.status.rawValue) (\(outcome.ran) run\(outcome.ran == 1 ? "" : "s") now"
        if outcome.skipped > 0 { text += ", \(outcome.skipped) done before" }
        if outcome.failed > 0 { text += ", \(outcome.failed) failed" }
        text += ")\n\n"
        text += SuiteReport.medians(table)
        if let unmatched = table.unmatchedMetrics, !unmatched.isEmpty {
            text += "\n\nno run has the figures \(unmatched.joined(separator: ", ")) asked for in `metrics` "
                + "(names are PLUGIN.FIGURE as in table.csv's columns)"
        }
        let overheads = outcome.overheads
        if !overheads.isEmpty {
            let kept = overheads.filter { $0.transition == "in-place" || $0.transition == "unchanged" }.map(\.overheadSeconds)
            let rebuilt = overheads.filter { $0.transition == "rebuilt" }.map(\.overheadSeconds)
            text += "\n\nbetween runs (end of one to the start of the next one's workloads), medians:"
            if !kept.isEmpty { text += " lab kept up \(SuiteProgressDisplay.seconds(median(kept))) (\(kept.count))" }
            if !rebuilt.isEmpty { text += "\(kept.isEmpty ? "" : ";") rebuilt \(SuiteProgressDisplay.seconds(median(rebuilt))) (\(rebuilt.count))" }
        }
        text += "\n\nresults: \(outcome.folder) (table.csv, medians.csv, table.json)\n  netloom report \(outcome.folder)"
        if outcome.status == .interrupted { text += "\n  resume: netloom suite \(file) --resume --folder \(outcome.folder)" }
        return text
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
