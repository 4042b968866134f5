import Foundation
import Logging
import NetLoomKernel
import NetLoomModel

/// The lab lifecycle as the CLI and the scripting API use it: up, down, and the list
/// of running labs. Every kernel operation goes through the layers below.
public enum LabLifecycle {
    /// Builds a resolved lab on this machine and returns what was built. Userspace
    /// links get a link engine daemon; `startEngine` overrides how it is started
    /// (the runner hosts the engine in its own process instead).
    public static func up(
        _ lab: ResolvedLab, labText: String, logger: Logger, progress: @escaping LabBuilder.Progress = { _ in },
        machine: MachineCapabilities? = nil,
        startEngine: ((LabPlan, Journal) throws -> EngineProcess?)? = nil
    ) throws -> LabState {
        let machine = machine ?? MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw CoreError.needsPrivileges("building a lab") }
        let plan = try LabPlanner.plan(lab, instance: newInstanceID(), machine: machine)
        let builder = LabBuilder(plan: plan, labText: labText, logger: logger, progress: progress)
        return try builder.build(startEngine: startEngine ?? { plan, journal in
            try EngineDaemon.start(plan: plan, journal: journal, logger: logger)
        })
    }

    /// Reads, validates and builds a lab file.
    public static func up(
        file: String, logger: Logger, progress: @escaping LabBuilder.Progress = { _ in }
    ) throws -> LabState {
        let (lab, text) = try ResolvedLab.read(path: file)
        return try up(lab, labText: text, logger: logger, progress: progress)
    }

    /// Removes a lab (idempotent: a lab that is not there is not an error).
    @discardableResult
    public static func down(lab: String, logger: Logger) throws -> TeardownReport {
        try Teardown.run(lab: lab, logger: logger)
    }

    /// Removes every lab NetLoom knows of (those with a folder under /run/netloom).
    public static func downAll(logger: Logger) throws -> [TeardownReport] {
        try LabDirectory.all().map { try Teardown.run(lab: $0, logger: logger) }
    }

    /// Labs that are up (their state file exists), sorted by name.
    public static func running() -> [LabState] {
        LabDirectory.all().compactMap { try? LabState.load(lab: $0) }
    }

    static func newInstanceID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
