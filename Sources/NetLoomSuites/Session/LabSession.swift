// Suites / Session: one lab kept up across many runs. A new version of the lab is applied in place when
// only shaping differs (LabControl.retarget) and rebuilt otherwise; workloads run on it with the runner's
// `run(on:)`. The suite runner and the scripting API (`withLab`) are built on it.

import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI

/// How a session got from the lab that was up to the lab asked for.
public struct LabTransition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Nothing was up: the lab was built.
        case built
        /// The same lab: nothing to do.
        case unchanged
        /// Changed in place: these links got new shaping.
        case inPlace(links: [String])
        /// Taken down and built again, and why.
        case rebuilt(reason: String)
    }

    public var kind: Kind
    /// Wall time of the transition.
    public var seconds: Double

    /// Whether the lab stayed up.
    public var keptUp: Bool {
        switch kind {
        case .unchanged, .inPlace: true
        case .built, .rebuilt: false
        }
    }

    /// `built`, `unchanged`, `in place (2 links)`, `rebuilt: the set of nodes changes`.
    public var label: String {
        switch kind {
        case .built: "built"
        case .unchanged: "unchanged"
        case .inPlace(let links): "in place (\(links.count) link\(links.count == 1 ? "" : "s"))"
        case .rebuilt(let reason): "rebuilt: \(reason)"
        }
    }

    /// One word for tables: built, unchanged, in-place, rebuilt.
    public var word: String {
        switch kind {
        case .built: "built"
        case .unchanged: "unchanged"
        case .inPlace: "in-place"
        case .rebuilt: "rebuilt"
        }
    }
}

/// A lab that stays up while its versions change and workloads run on it. `down()` must be
/// called at the end (the scripting API's `withLab` and the suite runner always do); it is
/// idempotent. Userspace links are shaped by a link engine hosted in this process.
public actor LabSession {
    public nonisolated let logger: Logger
    public nonisolated let machine: MachineCapabilities
    let engine: HostedEngine
    /// The lab that is up, as its state file says.
    public private(set) var state: LabState?
    /// Set when the lab may not be what its state says (a run failed or was interrupted, or a
    /// timeline took links down): the next `apply` rebuilds.
    var dirty: String?

    /// `machine` is probed when not given (a probe creates a throwaway namespace).
    public init(logger: Logger, machine: MachineCapabilities? = nil) {
        self.logger = logger
        self.machine = machine ?? MachineCapabilities.probe()
        engine = HostedEngine(logger: logger)
    }

    /// The lab that is up.
    public var lab: ResolvedLab? { state?.lab }

    /// Brings `lab` up, or turns the lab that is up into it: in place when only shaping (and
    /// workloads or timeline) differ, else by taking it down and building it again.
    @discardableResult
    public func apply(_ lab: ResolvedLab, text: String, rebuild: Bool = false) throws -> LabTransition {
        let start = ContinuousClock.now
        func finish(_ kind: LabTransition.Kind) -> LabTransition {
            LabTransition(kind: kind, seconds: Self.seconds(ContinuousClock.now - start))
        }
        guard let current = state else {
            try up(lab, text: text)
            return finish(.built)
        }
        // Even the same lab goes through retarget: a `set` (the CLI's, a script's, a timeline's) may
        // have changed links since it was applied; retarget compares the links as they are shaped now.
        var reason = rebuild ? "asked for" : dirty
        if reason == nil, current.lab.name != lab.name { reason = "the lab's name changes" }
        if reason == nil {
            switch try LabControl.retarget(lab: current.lab.name, to: lab, labText: text, machine: machine, logger: logger) {
            case .applied(let links, let namespaces):
                state = try LabState.load(lab: lab.name)
                return finish(links.isEmpty && namespaces.isEmpty ? .unchanged : .inPlace(links: links))
            case .needsRebuild(let why):
                reason = why
            }
        }
        try down()
        try up(lab, text: text)
        return finish(.rebuilt(reason: reason ?? "asked for"))
    }

    /// Runs the workloads of the lab that is up (its timeline too) and leaves it up. `options`
    /// name the results folder; the session's machine is used.
    public func run(
        registry: PluginRegistry, options: RunOptions = RunOptions(),
        report: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) async throws -> RunOutcome {
        guard let current = state else { throw CoreError.unsupported("no lab is up in this session; apply one first") }
        var options = options
        options.machine = machine
        let runner = LabRunner(lab: current.lab, labText: current.labText, registry: registry, options: options, logger: logger, report: report)
        let outcome = try await runner.run(on: current)
        // A timeline's `set`s were saved with the lab's state; its downs and ups were not.
        state = (try? LabState.load(lab: current.lab.name)) ?? current
        if outcome.status == .failed || outcome.status == .interrupted {
            dirty = "the previous run \(outcome.status.rawValue)"
        } else if current.lab.timeline.contains(where: { if case .set = $0.action { false } else { true } }) {
            dirty = "the previous run's timeline took links down and up"
        }
        return outcome
    }

    /// Marks the lab as needing a rebuild before its next use.
    public func invalidate(_ reason: String) {
        dirty = reason
    }

    /// Takes the lab down (nothing when none is up).
    public func down() throws {
        guard let current = state else { return }
        engine.stop()
        // The state goes only once the lab is down, so a failed teardown can be retried.
        try LabLifecycle.down(lab: current.lab.name, logger: logger)
        state = nil
        dirty = nil
    }

    func up(_ lab: ResolvedLab, text: String) throws {
        do {
            state = try LabLifecycle.up(lab, labText: text, logger: logger, machine: machine, startEngine: engine.start)
        } catch {
            engine.stop()
            throw error
        }
        dirty = nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
