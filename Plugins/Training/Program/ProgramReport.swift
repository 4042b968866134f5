// Plugins/Training / Program: running a program for some iterations and reporting what training
// jobs report: iteration time, exposed communication (iteration time less the compute-only time,
// pipeline bubbles included), its share, and the per-collective breakdown, beside the alpha-beta
// prediction of the whole iteration.

import Foundation
import NetLoomPluginAPI

struct ProgramSession {
    let context: PluginContext
    let chunkBytes: Int
    let unshapedRate: Double
    let overhead: Duration?
    let frameBytes: Int

    /// Runs `programs(i)` for iterations 0..<iterations (after `warmup` untimed ones) and records the figures.
    func run(iterations: Int, warmup: Int, timeScale: Double = 1, programs: (Int) -> Program) async throws {
        let first = programs(0)
        let problems = first.validate()
        if !problems.isEmpty { throw CollectiveError("the program cannot run: " + problems.prefix(3).joined(separator: "; ")) }
        guard first.ranks <= context.nodes.count else {
            throw CollectiveError("the program has \(first.ranks) ranks but the workload \(context.nodes.count) nodes")
        }
        // One mesh for every communicator and pair any iteration uses.
        var union = first
        for i in 1..<max(1, iterations) {
            for pair in programs(i).pointToPointPairs where !union.pointToPointPairs.contains(pair) {
                union.add(pair[0], .send(to: pair[1], bytes: 4), label: "setup")
                union.add(pair[1], .receive(from: pair[0], bytes: 4), label: "setup")
            }
        }
        let setup = ProgramRunner(program: union, chunkBytes: chunkBytes)
        let mesh = try await setup.connect(context: context)
        let stop = StopFlag()
        let paths = PathTable(ranks: context.nodes.map(\.name), links: context.links, unshapedRate: unshapedRate)
        let overheadSeconds: Double
        if let overhead {
            overheadSeconds = PathTable.seconds(overhead)
        } else if let pair = union.groups.first(where: { $0.count > 1 }) ?? union.pointToPointPairs.first {
            // Ping-pong between the first two ranks that talk, over their connection.
            let spec = setup.specs.first { $0.members == pair }!
            overheadSeconds = try await PingPong.overhead(mesh: mesh, spec: spec, paths: paths, context: context, stop: stop)
        } else {
            overheadSeconds = 0
        }
        context.metrics.result("overhead", overheadSeconds * 1e6, unit: "us")
        let model = AlphaBetaModel(paths: paths, overhead: overheadSeconds, frameBytes: frameBytes)

        var labels: [String: (count: Int, bytes: Int, seconds: Double, ranks: Set<Int>)] = [:]
        var iterationTimes: [Double] = []
        var computeOnly: [Double] = []
        var predicted: [Double] = []
        let meter = CPUMeter()
        for i in -warmup..<iterations {
            if let deadline = context.deadline, ContinuousClock.now > deadline { break }
            try Task.checkCancellation()
            let program = programs(max(0, i))
            let runner = setup.running(program)
            let timings = try await runner.run(mesh: mesh, context: context, stop: stop, timeScale: timeScale)
            guard i >= 0 else { continue }
            let total = timings.map(\.end).max() ?? 0
            iterationTimes.append(total)
            context.metrics.sample("iteration time", total * 1000, unit: "ms")
            context.metrics.progress("iteration", total * 1000, unit: "ms")
            computeOnly.append(ProgramModel(program: program, chunkBytes: chunkBytes, model: nil).evaluate().total * timeScale)
            predicted.append(ProgramModel(program: program, chunkBytes: chunkBytes, model: model).evaluate().total)
            for timing in timings {
                let task = program.tasks[timing.rank][timing.index]
                guard task.isCommunication, task.label != "setup" else { continue }
                var entry = labels[task.label] ?? (0, 0, 0, [])
                entry.count += 1
                entry.bytes += task.bytes
                entry.seconds += timing.end - timing.start
                entry.ranks.insert(timing.rank)
                labels[task.label] = entry
            }
        }
        let cpu = meter.read()
        let n = Double(max(1, iterationTimes.count))
        let iteration = iterationTimes.reduce(0, +) / n
        let compute = computeOnly.reduce(0, +) / n
        let prediction = predicted.reduce(0, +) / n
        let exposed = max(0, iteration - compute)
        context.metrics.result("iteration time", iteration * 1000, unit: "ms", headline: true)
        context.metrics.result("compute-only time", compute * 1000, unit: "ms")
        context.metrics.result("exposed communication", exposed * 1000, unit: "ms", headline: true)
        context.metrics.result("communication share", iteration > 0 ? exposed / iteration * 100 : 0, unit: "%", headline: true)
        context.metrics.result("predicted iteration time", prediction * 1000, unit: "ms")
        context.metrics.result("measured/predicted", prediction > 0 ? iteration / prediction : .nan, unit: "")
        context.metrics.result("iterations", n, unit: "iterations")
        context.metrics.result("cpu", cpu.processCores, unit: "cores")
        if CPUMeter.limited(processCores: cpu.processCores, machineShare: cpu.machineShare, cores: meter.cores) {
            context.metrics.result("cpu-bound", 1, unit: "", headline: true)
            context.logger.warning("the ranks were CPU-bound: iteration times include CPU contention, not only network time")
        }
        // Per collective kind, per rank that does it, per iteration.
        var rows: [[String]] = []
        for (label, entry) in labels.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            let perRank = Double(max(1, entry.ranks.count)) * n
            rows.append([label, String(format: "%.1f", Double(entry.count) / perRank), String(entry.bytes / max(1, entry.count)),
                         String(format: "%.3f", entry.seconds / Double(max(1, entry.count)) * 1000),
                         String(format: "%.3f", entry.seconds / perRank * 1000), String(entry.ranks.count)])
            context.metrics.result("\(label) time", entry.seconds / perRank * 1000, unit: "ms per iteration")
        }
        context.metrics.table("collectives", columns: ["kind", "per_iteration", "bytes_each", "mean_ms", "ms_per_iteration", "ranks"], rows: rows)
        var text = "# iteration \(String(format: "%.3f", iteration * 1000)) ms, compute-only \(String(format: "%.3f", compute * 1000)) ms, "
            + "exposed communication \(String(format: "%.3f", exposed * 1000)) ms (\(String(format: "%.1f", iteration > 0 ? exposed / iteration * 100 : 0))%), "
            + "predicted \(String(format: "%.3f", prediction * 1000)) ms\n"
        text += "# kind  per_iteration  bytes_each  mean_ms  ms_per_iteration  ranks\n"
        text += rows.map { $0.joined(separator: "  ") }.joined(separator: "\n") + "\n"
        try? text.write(toFile: context.outputDirectory + "/iterations.txt", atomically: true, encoding: .utf8)
    }
}
