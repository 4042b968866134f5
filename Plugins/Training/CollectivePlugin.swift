// Plugins/Training: `collective`, nccl-tests over the lab: one rank per node, real bytes over TCP,
// real sums, checked; each size's time, algbw and busbw beside the alpha-beta prediction for the
// lab's links. `allreduce` is the same with the operation fixed.

import Foundation
import NetLoomModel
import NetLoomPluginAPI

public struct CollectivePlugin: TrafficPlugin {
    public static let name = "collective"
    public static let summary = "nccl-tests over TCP: a collective at each size, checked, with busbw and the alpha-beta prediction."
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("operation", .choice(CollectiveOperation.allCases.map(\.rawValue)), default: "all_reduce",
                      help: "the collective (nccl-tests' binary)")
    ] + shared

    static let shared: [ParameterSpec] = [
        ParameterSpec("algorithm", .string, default: "default",
                      help: "all_reduce: ring | rhd | tree; all_gather, reduce_scatter: ring | recursive_doubling; broadcast, reduce: pipelined_ring | binomial; alltoall(v): pairwise | all_at_once"),
        ParameterSpec("sizes", .list(.size), optional: true, help: "message sizes S (instead of min/max/factor)"),
        ParameterSpec("min", .size, default: "1KiB", help: "smallest size (nccl-tests -b)"),
        ParameterSpec("max", .size, default: "1MiB", help: "largest size (nccl-tests -e)"),
        ParameterSpec("factor", .integer(2...1024), default: "2", help: "size multiplier (nccl-tests -f)"),
        ParameterSpec("iterations", .integer(1...100_000), default: "20", help: "timed iterations per size (nccl-tests -n)"),
        ParameterSpec("warmup", .integer(0...10_000), default: "5", help: "untimed iterations first (nccl-tests -w)"),
        ParameterSpec("dtype", .choice(["float", "float32", "bf16", "bfloat16"]), default: "float", help: "element type"),
        ParameterSpec("chunk", .size, default: "512KiB", help: "pipelining piece: each block moves in pieces of this size"),
        ParameterSpec("channels", .integer(1...32), default: "1", help: "parallel rings/trees, each on its own sockets and thread"),
        ParameterSpec("sockets_per_peer", .integer(1...16), default: "1", help: "sockets per peer per channel; sends of 64KiB+ are split across them"),
        ParameterSpec("check", .bool, default: "true", help: "fill real values and check every result (a wrong one fails the workload)"),
        ParameterSpec("root", .integer(0...4095), default: "0", help: "root rank of broadcast and reduce"),
        ParameterSpec("overhead", .string, default: "auto", help: "per-message overhead in alpha: auto (measured by ping-pong) or a time"),
        ParameterSpec("unshaped_rate", .bitrate, default: "10gbit", help: "rate assumed for links without one, in the prediction"),
        ParameterSpec("frame", .string, default: "auto", help: "what a hop stores before forwarding, in the prediction: auto (the kernel's GSO frame for the path's rate, offloads on), 1514B (offloads: false), 0B (cut-through), or a size"),
    ]

    public let operation: CollectiveOperation
    public let algorithm: CollectiveAlgorithm
    public let sizes: [Int]
    public let iterations: Int
    public let warmup: Int
    public let dataType: DataType
    public let chunk: Int
    public let channels: Int
    public let socketsPerPeer: Int
    public let check: Bool
    public let root: Int
    public let overhead: Duration?
    public let unshapedRate: Double
    public let frameBytes: Int

    public init(parameters: PluginParameters) throws(LabError) {
        try self.init(parameters: parameters, operation: nil)
    }

    init(parameters: PluginParameters, operation fixed: CollectiveOperation?) throws(LabError) {
        try parameters.requireNodes(atLeast: 2)
        if Set(parameters.nodes).count != parameters.nodes.count {
            throw parameters.error("each rank needs a node of its own", allowed: "list each node once")
        }
        let operation = fixed ?? CollectiveOperation(parameter: parameters.string("operation"))!
        self.operation = operation
        guard let algorithm = CollectiveAlgorithm(parameter: parameters.string("algorithm"), for: operation) else {
            throw parameters.error("\(parameters.string("algorithm")) is not an algorithm of \(operation.rawValue)", for: "algorithm",
                                   allowed: operation.algorithms.map(\.rawValue).joined(separator: ", "))
        }
        self.algorithm = algorithm
        dataType = DataType(parameter: parameters.string("dtype"))!
        let ranks = parameters.nodes.count
        let multiple = operation.elementMultiple(ranks: ranks) * dataType.size
        var sizes: [Int]
        if parameters.has("sizes") {
            sizes = parameters.sizes("sizes").map { Int($0.bytes) }
        } else {
            let low = Int(parameters.size("min").bytes), high = Int(parameters.size("max").bytes)
            guard low <= high else { throw parameters.error("min is larger than max", for: "min") }
            sizes = []
            var size = max(low, 1)
            while size <= high {
                sizes.append(size)
                size *= parameters.int("factor")
            }
        }
        // As nccl-tests does: whole elements, and a whole block per rank where the operation has blocks.
        self.sizes = sizes.map { max(multiple, $0 / multiple * multiple) }
        iterations = parameters.int("iterations")
        warmup = parameters.int("warmup")
        chunk = Int(parameters.size("chunk").bytes)
        guard chunk >= 1024 else { throw parameters.error("chunk must be at least 1KiB", for: "chunk") }
        channels = parameters.int("channels")
        socketsPerPeer = parameters.int("sockets_per_peer")
        check = parameters.bool("check")
        root = parameters.int("root")
        guard root < ranks else { throw parameters.error("root \(root) is not a rank (0...\(ranks - 1))", for: "root") }
        overhead = try OverheadParameter.duration(parameters)
        unshapedRate = Double(parameters.bitrate("unshaped_rate").bitsPerSecond)
        frameBytes = try FrameParameter.bytes(parameters)
    }

    public func request(bytes: Int, ranks: Int) -> CollectiveRequest {
        CollectiveRequest(operation: operation, algorithm: algorithm, ranks: ranks, elements: bytes / dataType.size,
                          dataType: dataType, channels: channels, chunkBytes: chunk, root: root)
    }

    public func run(in context: PluginContext) async throws {
        let ranks = context.nodes.count
        let spec = CommunicatorSpec(id: 0, members: Array(0..<ranks), channels: channels, socketsPerPeer: socketsPerPeer)
        let mesh = try await Mesh.connect([spec], context: context, port: context.port(0))
        let stop = StopFlag()
        let paths = PathTable(ranks: context.nodes.map(\.name), links: context.links, unshapedRate: unshapedRate)
        let overheadSeconds: Double
        if let overhead {
            overheadSeconds = PathTable.seconds(overhead)
        } else {
            overheadSeconds = try await PingPong.overhead(mesh: mesh, spec: spec, paths: paths, context: context, stop: stop)
        }
        let model = AlphaBetaModel(paths: paths, overhead: overheadSeconds, frameBytes: frameBytes)
        context.metrics.result("overhead", overheadSeconds * 1e6, unit: "us")
        context.metrics.result("bottleneck rate", paths.bottleneckRate / 1e9, unit: "Gbit/s")

        var rows: [NcclRow] = []
        var text = "# netloom collective: \(operation.rawValue) \(algorithm.rawValue), \(ranks) ranks, \(dataType.rawValue), "
            + "chunk \(chunk) B, \(channels) channel(s), \(socketsPerPeer) socket(s) per peer\n"
            + "# alpha = path one-way delay + \(String(format: "%.1f", overheadSeconds * 1e6)) us overhead; "
            + "+ \(frameBytes < 0 ? "a GSO frame" : "\(frameBytes) B") stored per extra hop; beta = 1 / (bottleneck rate x 1448/1514); bottleneck \(paths.bottleneckRate / 1e9) Gbit/s\n"
            + "#" + NcclRow.header.dropFirst() + "\n"
        for size in sizes {
            if let deadline = context.deadline, ContinuousClock.now > deadline { break }
            try Task.checkCancellation()
            let request = request(bytes: size, ranks: ranks)
            let schedule = CollectiveSchedules.make(request)
            let data = CollectiveData(request: request, schedule: schedule, checked: check)
            for _ in 0..<warmup {
                data.reset()
                _ = try await Communicator.runAll(data, spec: spec, mesh: mesh, arithmetic: check, context: context, stop: stop)
            }
            var total = 0.0, waited = 0.0
            var cpu = CPUMeter.Total()
            for _ in 0..<iterations {
                data.reset()
                let timing = try await cpu.measure {
                    try await Communicator.timeAll(data, spec: spec, mesh: mesh, arithmetic: check, context: context, stop: stop)
                }
                total += PathTable.seconds(timing.duration)
                waited += timing.runQueueShare * PathTable.seconds(timing.duration)
            }
            let wrong = data.wrongElements()
            let figures = NcclFigures(operation: operation, ranks: ranks, bytes: size, seconds: total / Double(iterations))
            // Rank threads that waited a tenth of the time for a core: the CPU, not the network, set the pace.
            let runQueue = total > 0 ? waited / total : 0
            let limited = cpu.limited || runQueue >= CPUMeter.runQueueLimit
            let row = NcclRow(
                // nccl-tests' count: elements per rank (S / n for all-gather, reduce-scatter, all-to-all).
                figures: figures, count: size / dataType.size / operation.elementMultiple(ranks: ranks), type: dataType,
                operation: operation, root: root, wrong: check ? wrong : nil,
                predictedSeconds: model.evaluate(schedule), cpuCores: cpu.processCores,
                runQueueShare: runQueue,
                note: limited ? "CPU-bound (ranks waited \(String(format: "%.0f", runQueue * 100))% of the time for a core; machine \(String(format: "%.0f", cpu.machineShare * 100))% busy): not network time" : "")
            rows.append(row)
            text += row.line + "\n"
            context.metrics.sample("busbw", figures.busBandwidth, unit: "GB/s")
            context.metrics.progress("busbw", figures.busBandwidth, unit: "GB/s")
            context.logger.info("collective size done", metadata: ["size": "\(size)", "busbw": "\(figures.busBandwidth)"])
        }
        context.metrics.table("nccl", columns: NcclRow.columns, rows: rows.map(\.cells))
        if let last = rows.last {
            let rate = paths.bottleneckRate
            context.metrics.result("busbw", last.figures.busBandwidth, unit: "GB/s", headline: true)
            context.metrics.result("algbw", last.figures.algorithmBandwidth, unit: "GB/s")
            context.metrics.result("time", last.figures.seconds * 1e6, unit: "us", headline: true)
            context.metrics.result("predicted", last.predictedSeconds * 1e6, unit: "us")
            context.metrics.result("measured/predicted", last.ratio, unit: "", headline: true)
            context.metrics.result("busbw/payload rate", last.figures.busBandwidth * 8e9 / (rate * PathTable.payloadShare), unit: "")
        }
        let wrong = rows.reduce(0) { $0 + ($1.wrong ?? 0) }
        if check { context.metrics.result("wrong", Double(wrong), unit: "elements", headline: true) }
        let cpuBound = rows.filter { !$0.note.isEmpty }.count
        context.metrics.result("cpu-bound sizes", Double(cpuBound), unit: "sizes")
        text += check ? "# Out of bounds values : \(wrong) \(wrong == 0 ? "OK" : "FAILED")\n" : "# Out of bounds values : N/A\n"
        let averageBusbw = rows.isEmpty ? 0 : rows.reduce(0) { $0 + $1.figures.busBandwidth } / Double(rows.count)
        text += "# Avg bus bandwidth    : \(NcclRow.bandwidth(averageBusbw))\n"
        try? text.write(toFile: context.outputDirectory + "/nccl.txt", atomically: true, encoding: .utf8)
        if wrong > 0 {
            let bad = rows.filter { ($0.wrong ?? 0) > 0 }.map { "\($0.figures.bytes) B: \($0.wrong ?? 0)" }.joined(separator: ", ")
            throw CollectiveError("\(operation.rawValue) \(algorithm.rawValue) produced wrong results (\(bad) elements)")
        }
    }
}
