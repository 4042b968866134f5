import ArgumentParser
import BaselinePlugins
import ExamplePlugins
import InferencePlugins
import Dispatch
import Foundation
import NetLoomCore
import NetLoomModel
import NetLoomPluginAPI
import TrainingPlugins

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Build a lab, run its workloads and timeline, sample the network, tear it down, and write a results folder (needs root).",
        discussion: """
            The lab always comes down: on success, when a workload fails or overruns its duration, and on \
            Ctrl-C or SIGTERM. Exit codes: 0 success, 2 bad lab file or plugin parameters, 3 missing \
            capability, 4 a workload failed, 130 interrupted, 1 anything else. See docs/results.md.
            """)

    @Argument(help: "The lab file.")
    var file: String

    @Option(help: "Folder for results folders.")
    var results = "results"

    @Option(help: "Seconds between samples of link counters and TCP connections.")
    var sampleInterval: Double = 1

    @Flag(help: "Print summary.json at the end instead of a table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.logger()
        let (lab, text): (ResolvedLab, String)
        do {
            (lab, text) = try ResolvedLab.read(path: file)
        } catch {
            throw Exit.report(error)
        }
        var options = RunOptions()
        options.resultsRoot = results
        options.sampleInterval = .milliseconds(Int64(max(sampleInterval, 0.05) * 1000))
        let progress = RunProgress(quiet: global.quiet || json)
        let runner = LabRunner(lab: lab, labText: text, registry: Plugins.registry, options: options, logger: logger) { event in
            progress.show(event)
        }
        let task = Task { try await runner.run() }
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) {
            progress.note("interrupted: taking the lab down")
            task.cancel()
        }
        defer { withExtendedLifetime(signals) {} }
        let outcome: RunOutcome
        do {
            outcome = try await task.value
        } catch {
            throw Exit.report(error)
        }
        progress.finish()
        if json {
            try printJSON(outcome.summary)
        } else if !global.quiet {
            print(RunReport.render(outcome))
        }
        switch outcome.status {
        case .succeeded: return
        case .workloadFailed: throw ExitCode(4)
        case .interrupted: throw ExitCode(130)
        case .failed: throw ExitCode(1)
        }
    }
}

/// The plugins this netloom knows.
enum Plugins {
    static let registry = PluginRegistry(BaselinePlugins.all + ExamplePlugins.all + TrainingPlugins.all + InferencePlugins.all)
}

/// Runs a handler on the main dispatch queue when one of the signals arrives (and
/// keeps their default action from killing the process while the lab is up).
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
