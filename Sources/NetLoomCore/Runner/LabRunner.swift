import Foundation
import Logging
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// What a run produced.
public struct RunOutcome: Sendable {
    public var status: RunStatus
    /// The results folder (nil when the lab file was rejected before anything ran).
    public var resultsPath: String?
    public var summary: RunSummary
}

/// `netloom run`: validate, preflight, up, warm up, run the workloads (with the
/// timeline and the samplers alongside), collect, and always take the lab down: on
/// success, when a plugin throws or overruns, and when the run is cancelled (the CLI
/// cancels it on SIGINT and SIGTERM).
///
/// `run(on:)` does the same on a lab that is already up (a suite's or a script's
/// lab), and leaves it up.
public final class LabRunner: Sendable {
    let lab: ResolvedLab
    let labText: String
    let registry: PluginRegistry
    let options: RunOptions
    let logger: Logger
    let report: @Sendable (RunEvent) -> Void
    let engine: HostedEngine

    public init(
        lab: ResolvedLab, labText: String, registry: PluginRegistry, options: RunOptions = RunOptions(), logger: Logger,
        report: @escaping @Sendable (RunEvent) -> Void = { _ in }
    ) {
        self.lab = lab
        self.labText = labText
        self.registry = registry
        self.options = options
        self.logger = logger
        self.report = report
        engine = HostedEngine(logger: logger)
    }

    /// Runs the lab. Throws `LabErrors` (nothing built) when a workload's plugin or
    /// parameters are wrong, `CoreError.needsPrivileges` without root; every other
    /// failure is reported in the outcome, with the results written so far.
    public func run() async throws -> RunOutcome {
        try await execute(attachedTo: nil)
    }

    /// Runs the lab's workloads (and timeline, with the samplers) on `state`, a lab
    /// that is already up, and leaves it up: no up or down phase, and times count from
    /// the start of this run. `state.lab` must be this runner's lab as built (same
    /// name); its links' shaping is whatever they have now. A timeline changes the
    /// links and leaves them changed.
    public func run(on state: LabState) async throws -> RunOutcome {
        guard state.lab.name == lab.name else {
            throw CoreError.unsupported("the runner's lab is \(lab.name) but the lab that is up is \(state.lab.name)")
        }
        return try await execute(attachedTo: state)
    }

    func execute(attachedTo attached: LabState?) async throws -> RunOutcome {
        let plugins = try registry.instantiate(lab)
        let machine = options.machine ?? MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw CoreError.needsPrivileges("running a lab") }
        let started = Date()
        let results = try options.resultsFolder.map { try ResultsWriter(folder: $0) }
            ?? ResultsWriter(root: options.resultsRoot, lab: lab.name, started: started)
        try results.writeJSON(lab, to: "lab.json")
        try results.write(Data(labText.utf8), to: "lab.yaml")

        var phases: [PhaseTiming] = []
        var workloadSummaries: [WorkloadSummary] = []
        var timeline: [AppliedEvent] = []
        var status = RunStatus.succeeded
        var failure: String?
        var clock = RunClock(zero: .now)
        var state: LabState?

        do {
            if let attached {
                state = attached
                try results.writeJSON(environment(machine: machine, state: attached), to: "environment.json")
                clock = RunClock(zero: .now)
                results.appendEvent(seconds: 0, kind: "phase", detail: "attached")
            } else {
                report(.phase("up"))
                state = try LabLifecycle.up(lab, labText: labText, logger: logger, machine: machine, startEngine: engine.start)
                phases += state!.timings.map { PhaseTiming(phase: "up: \($0.phase)", seconds: $0.seconds) }
                try results.writeJSON(environment(machine: machine, state: state!), to: "environment.json")
                clock = RunClock(zero: .now)
                results.appendEvent(seconds: 0, kind: "phase", detail: "up")
            }

            if options.warmUp {
                report(.phase("warm-up"))
                let warm = ContinuousClock.now
                try await warmUp(state!)
                phases.append(PhaseTiming(phase: "warm-up", seconds: seconds(ContinuousClock.now - warm)))
            }

            report(.phase("workloads"))
            let running = ContinuousClock.now
            (workloadSummaries, timeline) = await runWorkloads(plugins, state: state!, results: results, clock: clock)
            phases.append(PhaseTiming(phase: "workloads", seconds: seconds(ContinuousClock.now - running)))
            if Task.isCancelled {
                status = .interrupted
            } else if workloadSummaries.contains(where: { $0.status != "ok" }) {
                status = .workloadFailed
            }
        } catch {
            status = Task.isCancelled ? .interrupted : .failed
            failure = "\(error)"
            logger.error("run failed", metadata: ["lab": "\(lab.name)", "error": "\(error)"])
        }

        if attached == nil {
            report(.phase("down"))
            let down = ContinuousClock.now
            engine.stop()
            do {
                try LabLifecycle.down(lab: lab.name, logger: logger)
            } catch {
                failure = (failure.map { $0 + "; " } ?? "") + "down: \(error)"
                status = .failed
            }
            phases.append(PhaseTiming(phase: "down", seconds: seconds(ContinuousClock.now - down)))
            results.appendEvent(seconds: clock.seconds, kind: "phase", detail: "down")
        }

        let summary = RunSummary(
            lab: lab.name, file: lab.file, started: started, finished: Date(), status: status, error: failure,
            phases: phases, workloads: workloadSummaries, timeline: timeline)
        try results.writeJSON(summary, to: "summary.json")
        let path = try results.finish()
        return RunOutcome(status: status, resultsPath: path, summary: summary)
    }

    // MARK: - Phases

    /// Every node of a workload sends one datagram to its peers, so ARP and neighbour
    /// discovery are done before anything is measured; then one longest RTT passes. On a
    /// lab with lossy links a lost ARP or neighbour exchange is retried by the kernel only
    /// after a second (holding back, then dropping, what the workload sends meanwhile), so
    /// there the warm-up gives it two more tries.
    func warmUp(_ state: LabState) async throws {
        let environment = pluginEnvironment(state)
        for workload in lab.workloads where workload.nodes.count > 1 {
            let nodes = workload.nodes.compactMap { lab.node(named: $0) }
            for (i, node) in nodes.enumerated() {
                let peers = nodes.count <= 32 ? nodes.filter { $0.name != node.name } : [nodes[(i + 1) % nodes.count], nodes[0]]
                let descriptor = try environment.openSocket(domain: AF_INET6, type: Int32(SOCK_DGRAM.rawValue), node: node.name)
                let socket = PluginSocket(descriptor: descriptor, kind: .udp, node: node.name)
                for peer in peers {
                    guard let address = peer.interfaces.compactMap({ $0.ipv4 ?? $0.ipv6 }).first?.address else { continue }
                    _ = try? [UInt8](repeating: 0, count: 1).withUnsafeBytes { try socket.send($0, to: "\(address)", port: 9) }
                }
            }
        }
        let lossy = state.links.contains { $0.aToB.loss != .none || $0.bToA.loss != .none }
        try await Task.sleep(for: lab.rttReference * 2 + .milliseconds(lossy ? 2_200 : 100))
    }

    func runWorkloads(
        _ plugins: [any TrafficPlugin], state: LabState, results: ResultsWriter, clock: RunClock
    ) async -> ([WorkloadSummary], [AppliedEvent]) {
        let environment = pluginEnvironment(state)
        let links = state.links.compactMap { planned -> PluginLink? in
            guard let link = lab.link(named: planned.name) else { return nil }
            return PluginLink(name: link.name, a: link.a.node, b: link.b.node, aToB: planned.aToB, bToA: planned.bToA)
        }
        var executors: [WorkloadExecutor] = []
        for (index, workload) in lab.workloads.enumerated() {
            let directory = WorkloadResults.directory(index: index, plugin: workload.plugin)
            try? results.makeDirectory(directory)
            let nodes = workload.nodes.enumerated().compactMap { rank, name -> PluginNode? in
                guard let node = lab.node(named: name) else { return nil }
                return PluginNode(
                    name: name, rank: rank, kind: node.kind, ipv4: node.interfaces.compactMap(\.ipv4).first.map { "\($0.address)" },
                    ipv6: node.interfaces.compactMap(\.ipv6).first.map { "\($0.address)" }, namespace: node.namespace,
                    interface: (node.interfaces.first { $0.ipv4 != nil } ?? node.interfaces.first { $0.ipv6 != nil })?.name)
            }
            let parameters = (try? ParameterSchema(type(of: plugins[index]).parameters).validate(
                workload.params, nodes: workload.nodes, location: workload.location, path: "\(workload.path).params"))
                ?? PluginParameters(values: [:], nodes: workload.nodes)
            var workloadLogger = logger
            workloadLogger[metadataKey: "workload"] = "\(index)-\(workload.plugin)"
            let context = PluginContext(
                workload: "\(workload.path) (\(workload.plugin))", index: index, nodes: nodes, links: links,
                parameters: parameters, logger: workloadLogger, metrics: Metrics(elapsed: { clock.elapsed }),
                // A workload with a `start` begins then (its deadline counts from there).
                startTime: Swift.max(ContinuousClock.now, clock.zero + (workload.start ?? .zero)), duration: workload.duration, outputDirectory: results.path(directory),
                environment: environment)
            executors.append(WorkloadExecutor(
                index: index, workload: workload, plugin: plugins[index], context: context, clock: clock, grace: options.grace,
                results: results, report: report))
        }
        let contexts = executors.map(\.context)
        let sampler = Sampler(lab: lab.name, results: results, interval: options.sampleInterval, clock: clock)
        let player = TimelinePlayer(state: state, results: results, clock: clock, logger: logger, report: report)
        let total = lab.workloads.allSatisfy { $0.duration != nil }
            ? lab.workloads.map { ($0.start ?? .zero) + $0.duration! }.max() : nil
        let background = [
            Task { await sampler.run(contexts: { contexts }) },
            Task { await player.run() },
            Task { await self.tick(clock: clock, total: total, contexts: contexts) },
        ]
        let summaries = await withTaskGroup(of: WorkloadSummary.self) { group in
            for executor in executors { group.addTask { await executor.run() } }
            var summaries: [WorkloadSummary] = []
            for await summary in group { summaries.append(summary) }
            return summaries.sorted { $0.index < $1.index }
        }
        for task in background { task.cancel() }
        sampler.sampleOnce(contexts: contexts)
        return (summaries, player.events)
    }

    func tick(clock: RunClock, total: Duration?, contexts: [PluginContext]) async {
        while !Task.isCancelled {
            let figures = contexts.compactMap { context -> ProgressFigure? in
                guard let progress = context.metrics.snapshot().progress else { return nil }
                return ProgressFigure(workload: context.index, name: progress.name ?? "", value: progress.value, unit: progress.unit)
            }
            report(.tick(elapsed: clock.elapsed, total: total, figures: figures))
            try? await Task.sleep(for: .seconds(1))
        }
    }

    // MARK: - Support

    func pluginEnvironment(_ state: LabState) -> NamespacePluginEnvironment {
        NamespacePluginEnvironment(namespaces: Dictionary(uniqueKeysWithValues: state.lab.nodes.map { ($0.name, $0.namespace) }))
    }

    func environment(machine: MachineCapabilities, state: LabState) -> RunEnvironment {
        RunEnvironment(
            netloomVersion: NetLoomVersion.current, commandLine: options.commandLine,
            hostname: ProcessInfo.processInfo.hostName, cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory, machine: machine, seed: lab.seed,
            backends: Dictionary(uniqueKeysWithValues: state.links.map { ($0.name, $0.reason) }))
    }
}
