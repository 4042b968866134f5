import BaselinePlugins
import ExamplePlugins
import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import Testing

/// Runs plugins in real labs through `LabRunner`: a unique lab name per run, results in
/// a temporary folder that is removed afterwards; the runner always takes the lab down.
enum PluginLabs {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }

    static let registry = PluginRegistry(BaselinePlugins.all + ExamplePlugins.all)

    static let logger: Logger = {
        var logger = Logger(label: "plugin-test")
        logger.logLevel = .critical
        return logger
    }()

    private static let counter = Mutex(0)

    /// "p<pid>-<n>": lab names allow 20 characters.
    static func uniqueName() -> String {
        "p\(String(getpid(), radix: 36))-\(counter.withLock { $0 += 1; return $0 })"
    }

    /// Parses `yaml` with NAME replaced by a unique lab name (no root needed).
    static func lab(_ yaml: String) throws -> (ResolvedLab, String) {
        let text = yaml.replacingOccurrences(of: "NAME", with: uniqueName())
        return (try ResolvedLab.parse(yaml: text, file: "<test>"), text)
    }

    /// Runs the lab and its workloads (cancelling the run after `cancelAfter`, as Ctrl-C
    /// does); returns what the run wrote.
    static func run(_ yaml: String, cancelAfter: Duration? = nil) async throws -> RunResults {
        let (lab, text) = try lab(yaml)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-plugin-tests-\(UUID().uuidString)").path
        var options = RunOptions()
        options.resultsRoot = root
        options.grace = .seconds(5)
        options.commandLine = ["BaselinePluginsTests"]
        let runner = LabRunner(lab: lab, labText: text, registry: registry, options: options, logger: logger)
        let task = Task { try await runner.run() }
        if let cancelAfter {
            try await Task.sleep(for: cancelAfter)
            task.cancel()
        }
        let outcome = try await task.value
        #expect(NetworkNamespace.list().filter { $0.hasPrefix("\(lab.name).") }.isEmpty, "the lab was taken down")
        return RunResults(outcome: outcome, root: root)
    }
}

/// A finished run: its summary and its results folder (removed when this goes away).
final class RunResults {
    let outcome: RunOutcome
    let root: String

    init(outcome: RunOutcome, root: String) {
        self.outcome = outcome
        self.root = root
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var summary: RunSummary { outcome.summary }
    var path: String { outcome.resultsPath ?? root }

    func workload(_ index: Int = 0) -> WorkloadSummary { summary.workloads[index] }

    /// A result figure of workload `index`.
    func result(_ name: String, _ index: Int = 0) -> Double? { workload(index).results[name]?.value }

    func counter(_ name: String, _ index: Int = 0) -> Int64? { workload(index).counters[name] }

    /// A file of the results folder, relative to it.
    func file(_ relative: String) -> String? {
        try? String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8)
    }

    /// Data rows of a CSV file of the results folder (without the header).
    func rows(_ relative: String) -> [[String]] {
        (file(relative) ?? "").split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Everything a failing expectation needs to explain itself.
    var diagnosis: String {
        "status \(summary.status.rawValue) \(summary.error ?? ""); "
            + summary.workloads.map { "\($0.index)-\($0.plugin): \($0.status) \($0.error ?? "") \($0.results.mapValues(\.value))" }
                .joined(separator: "; ")
    }
}

import Synchronization
