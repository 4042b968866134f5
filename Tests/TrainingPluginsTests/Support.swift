import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import TrainingPlugins

/// Real labs for the plugin tests: unique names, the runner, teardown checked.
enum TrainingLabs {
    static let machine = MachineCapabilities.probe()
    static var available: Bool { machine.canCreateNamespaces }
    static let registry = PluginRegistry(TrainingPlugins.all)

    static let logger: Logger = {
        var logger = Logger(label: "training-test")
        logger.logLevel = .critical
        return logger
    }()

    private static let counter = Counter()

    /// "tr<pid>-<n>": lab names allow 20 characters.
    static func uniqueName() -> String { "tr\(String(getpid(), radix: 36))-\(counter.next())" }

    /// Runs the lab (NAME replaced by a unique name) and returns its outcome.
    static func run(_ yaml: String) async throws -> RunOutcome {
        let text = yaml.replacingOccurrences(of: "NAME", with: uniqueName())
        let lab = try ResolvedLab.parse(yaml: text, file: "<test>")
        var options = RunOptions()
        options.resultsRoot = NSTemporaryDirectory() + "netloom-training-tests-\(getpid())"
        options.sampleInterval = .milliseconds(500)
        let outcome = try await LabRunner(lab: lab, labText: text, registry: registry, options: options, logger: logger).run()
        precondition(NetworkNamespace.list().filter { $0.hasPrefix("\(lab.name).") }.isEmpty, "the lab came down")
        return outcome
    }

    /// A star of `hosts` hosts h0... on one switch.
    static func star(_ hosts: Int, link: String = "{ rate: 1gbit }", workloads: String) -> String {
        """
        name: NAME
        settings: { tcp_slow_start_after_idle: false }
        defaults:
          link: \(link)
        nodes:
          h[0-\(hosts - 1)]: {}
          sw: { kind: switch }
        links:
          - endpoints: ["h[0-\(hosts - 1)]", sw]
        workloads:
        \(workloads)
        """
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
