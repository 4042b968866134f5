// Plugins/Training / Traces: ASTRA-sim 1.0 text workloads, and SimAI's (AICB's) variant of them.
//
//   HYBRID_TRANSFORMER model_parallel_NPU_group: 2 ...      parallelism, then optional `key: value`s
//   32                                                     number of layers
//   name dep fwd_compute fwd_type fwd_size ig_compute ig_type ig_size wg_compute wg_type wg_size update
//
// Compute times are cycles (ASTRA-sim) and sizes bytes. Replayed as ASTRA-sim runs a training loop:
// each layer's forward compute then its forward collective (blocking), then backward in reverse
// layer order: input-gradient compute and collective (blocking), weight-gradient compute and
// collective (overlapping what follows); the iteration ends when every weight-gradient collective
// is done, plus the largest weight-update delay. Under DATA every collective spans all ranks; under
// MODEL too; under the hybrid types forward and input-gradient collectives span model-parallel
// groups of `model_parallel_NPU_group` consecutive ranks and weight-gradient collectives the
// data-parallel ranks across them.

import Foundation

public struct AstraSimWorkload: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public var name: String
        public var forwardCompute: Double
        public var forwardComm: CollectiveOperation?
        public var forwardBytes: Int
        public var inputGradientCompute: Double
        public var inputGradientComm: CollectiveOperation?
        public var inputGradientBytes: Int
        public var weightGradientCompute: Double
        public var weightGradientComm: CollectiveOperation?
        public var weightGradientBytes: Int
        public var update: Double
    }

    public var parallelism: String
    public var options: [String: String]
    public var layers: [Layer]

    public var modelParallelGroup: Int? { options["model_parallel_NPU_group"].flatMap { Int($0) } }

    public static func parse(_ text: String) throws(ProtobufError) -> AstraSimWorkload {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count >= 2 else { throw ProtobufError(description: "an ASTRA-sim workload needs a parallelism line and a layer count") }
        let header = lines[0].split(separator: " ").map(String.init)
        var options: [String: String] = [:]
        var i = 1
        while i + 1 < header.count {
            if header[i].hasSuffix(":") {
                options[String(header[i].dropLast())] = header[i + 1]
                i += 2
            } else {
                i += 1
            }
        }
        guard let count = Int(lines[1]) else { throw ProtobufError(description: "line 2: \"\(lines[1])\" is not a layer count") }
        guard lines.count - 2 >= count else { throw ProtobufError(description: "\(count) layers announced, \(lines.count - 2) given") }
        var layers: [Layer] = []
        for (offset, line) in lines[2..<(2 + count)].enumerated() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard f.count >= 11 else { throw ProtobufError(description: "layer line \(offset + 3): 12 fields expected, got \(f.count)") }
            func number(_ k: Int) throws(ProtobufError) -> Double {
                guard let v = Double(f[k]) else { throw ProtobufError(description: "layer line \(offset + 3) field \(k + 1): \"\(f[k])\" is not a number") }
                return v
            }
            layers.append(Layer(
                name: f[0], forwardCompute: try number(2), forwardComm: try comm(f[3]), forwardBytes: Int(try number(4)),
                inputGradientCompute: try number(5), inputGradientComm: try comm(f[6]), inputGradientBytes: Int(try number(7)),
                weightGradientCompute: try number(8), weightGradientComm: try comm(f[9]), weightGradientBytes: Int(try number(10)),
                update: f.count > 11 ? try number(11) : 0))
        }
        return AstraSimWorkload(parallelism: header[0], options: options, layers: layers)
    }

    /// ALLREDUCE, ALLGATHER, REDUCESCATTER, ALLTOALL (SimAI suffixes such as _DP or _EP ignored), NONE.
    static func comm(_ text: String) throws(ProtobufError) -> CollectiveOperation? {
        let key = text.uppercased().replacingOccurrences(of: "-", with: "_")
        if key == "NONE" { return nil }
        let bare = key.replacingOccurrences(of: "_", with: "")
        if bare.hasPrefix("ALLREDUCE") { return .allReduce }
        if bare.hasPrefix("ALLGATHER") { return .allGather }
        if bare.hasPrefix("REDUCESCATTER") { return .reduceScatter }
        if bare.hasPrefix("ALLTOALL") || bare.hasPrefix("ALL2ALL") { return .allToAll }
        if bare.hasPrefix("BROADCAST") { return .broadcast }
        throw ProtobufError(description: "unknown communication type \(text)")
    }

    /// The program on `ranks` ranks; compute in cycles of `cycle` seconds.
    public func program(ranks: Int, cycle: Double = 1e-9, byteScale: Double = 1, computeScale: Double = 1) throws(ProtobufError) -> Program {
        var program = Program(ranks: ranks)
        let world = program.group(Array(0..<ranks))
        let hybrid = parallelism.uppercased().hasPrefix("HYBRID")
        let model = hybrid ? (modelParallelGroup ?? 1) : ranks
        guard !hybrid || (model >= 1 && ranks % model == 0) else {
            throw ProtobufError(description: "model_parallel_NPU_group \(model) does not divide \(ranks) ranks")
        }
        let scaled = { (bytes: Int) in max(4, Int((Double(bytes) * byteScale).rounded())) }
        for rank in 0..<ranks {
            let modelGroup = hybrid ? program.group(Array((rank / model * model)..<(rank / model * model + model))) : world
            let dataGroup = hybrid ? program.group(Array(stride(from: rank % model, to: ranks, by: model))) : world
            var last: Int?
            var pending: [Int] = []
            func time(_ cycles: Double) -> Double { cycles * cycle * computeScale }
            for layer in layers {
                last = program.add(rank, .compute(seconds: time(layer.forwardCompute)), after: [last], label: "\(layer.name) forward")
                if let op = layer.forwardComm, layer.forwardBytes > 0, program.groups[modelGroup].count > 1 {
                    last = program.add(rank, .collective(group: modelGroup, operation: op, bytes: scaled(layer.forwardBytes)), after: [last],
                                       label: "forward \(op.rawValue)")
                }
            }
            for layer in layers.reversed() {
                last = program.add(rank, .compute(seconds: time(layer.inputGradientCompute)), after: [last], label: "\(layer.name) input gradient")
                if let op = layer.inputGradientComm, layer.inputGradientBytes > 0, program.groups[modelGroup].count > 1 {
                    last = program.add(rank, .collective(group: modelGroup, operation: op, bytes: scaled(layer.inputGradientBytes)), after: [last],
                                       label: "input gradient \(op.rawValue)")
                }
                last = program.add(rank, .compute(seconds: time(layer.weightGradientCompute)), after: [last], label: "\(layer.name) weight gradient")
                if let op = layer.weightGradientComm, layer.weightGradientBytes > 0, program.groups[dataGroup].count > 1 {
                    pending.append(program.add(rank, .collective(group: dataGroup, operation: op, bytes: scaled(layer.weightGradientBytes)),
                                               after: [last], label: "weight gradient \(op.rawValue)"))
                }
            }
            program.add(rank, .compute(seconds: time(layers.map(\.update).max() ?? 0)), after: [last] + pending, label: "weight update")
        }
        return program
    }

    // MARK: writing

    public var text: String {
        var lines = [([parallelism] + options.keys.sorted().flatMap { ["\($0):", options[$0]!] }).joined(separator: " "), String(layers.count)]
        func name(_ op: CollectiveOperation?) -> String {
            switch op {
            case nil: "NONE"
            case .allReduce?: "ALLREDUCE"
            case .allGather?: "ALLGATHER"
            case .reduceScatter?: "REDUCESCATTER"
            case .allToAll?, .allToAllv?: "ALLTOALL"
            case .broadcast?: "BROADCAST"
            default: "NONE"
            }
        }
        func n(_ v: Double) -> String { String(Int(v.rounded())) }
        for l in layers {
            lines.append([l.name, "-1", n(l.forwardCompute), name(l.forwardComm), String(l.forwardBytes), n(l.inputGradientCompute),
                          name(l.inputGradientComm), String(l.inputGradientBytes), n(l.weightGradientCompute), name(l.weightGradientComm),
                          String(l.weightGradientBytes), n(l.update)].joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A training step as ASTRA-sim's loop sees it (compute in cycles of 1 ns): DATA when there is
    /// no tensor parallelism, else HYBRID_TRANSFORMER with model_parallel_NPU_group = TP. The
    /// format has one collective per phase, so a layer's two tensor-parallel all-reduces per pass
    /// are one all-reduce of twice the size; weight gradients are all-reduced per layer.
    public static func from(_ step: TrainingStep) -> AstraSimWorkload {
        let model = step.model, d = step.degrees
        let forward = (step.compute.forward(model, tensorParallel: d.tensor) * 1e9).rounded()
        let tp = d.tensor > 1 ? 2 * model.tensorParallelAllReduceBytes : 0
        let gradient = d.data > 1 ? model.gradientBytes(tensorParallel: d.tensor, pipelineParallel: 1) / model.layers : 0
        let layers = (0..<model.layers).map { i in
            Layer(name: "layer\(i)", forwardCompute: forward, forwardComm: tp > 0 ? .allReduce : nil, forwardBytes: tp,
                  inputGradientCompute: forward, inputGradientComm: tp > 0 ? .allReduce : nil, inputGradientBytes: tp,
                  weightGradientCompute: forward, weightGradientComm: gradient > 0 ? .allReduce : nil, weightGradientBytes: gradient,
                  update: 0)
        }
        return d.tensor > 1
            ? AstraSimWorkload(parallelism: "HYBRID_TRANSFORMER", options: ["model_parallel_NPU_group": String(d.tensor)], layers: layers)
            : AstraSimWorkload(parallelism: "DATA", options: [:], layers: layers)
    }
}
