import Foundation
import InferencePlugins
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import Synchronization
import Testing

/// Runs the inference plugins in real labs through `LabRunner` (as `netloom run` does): a
/// unique lab name per run, results in a temporary folder removed afterwards.
enum InferenceLabs {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }

    static let registry = PluginRegistry(InferencePlugins.all)

    static let logger: Logger = {
        var logger = Logger(label: "inference-test")
        logger.logLevel = .critical
        return logger
    }()

    private static let counter = Mutex(0)

    /// "i<pid>-<n>": lab names allow 20 characters.
    static func uniqueName() -> String {
        "i\(String(getpid(), radix: 36))-\(counter.withLock { $0 += 1; return $0 })"
    }

    static func lab(_ yaml: String) throws -> (ResolvedLab, String) {
        let text = yaml.replacingOccurrences(of: "NAME", with: uniqueName())
        return (try ResolvedLab.parse(yaml: text, file: "<test>"), text)
    }

    static func run(_ yaml: String) async throws -> LabResults {
        let (lab, text) = try lab(yaml)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-inference-tests-\(UUID().uuidString)").path
        var options = RunOptions()
        options.resultsRoot = root
        options.grace = .seconds(5)
        options.commandLine = ["InferencePluginsTests"]
        let runner = LabRunner(lab: lab, labText: text, registry: registry, options: options, logger: logger)
        let outcome = try await runner.run()
        #expect(NetworkNamespace.list().filter { $0.hasPrefix("\(lab.name).") }.isEmpty, "the lab was taken down")
        return LabResults(outcome: outcome, root: root)
    }
}

/// A finished run: its summary and results folder (removed when this goes away).
final class LabResults {
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
    func result(_ name: String, _ index: Int = 0) -> Double? { workload(index).results[name]?.value }

    func file(_ relative: String) -> String? { try? String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8) }

    func rows(_ relative: String) -> [[String]] {
        (file(relative) ?? "").split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    var diagnosis: String {
        "status \(summary.status.rawValue) \(summary.error ?? ""); "
            + summary.workloads.map { "\($0.index)-\($0.plugin): \($0.status) \($0.error ?? "") \($0.results.mapValues(\.value))" }
                .joined(separator: "; ")
    }
}
