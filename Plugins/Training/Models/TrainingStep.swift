// Plugins/Training / Models: one training iteration as a program of compute and communication.
//
// Ranks are laid out as Megatron-LM does: tensor parallel fastest, then data parallel, then pipeline
// stages: rank = stage * (DP * TP) + dp * TP + tp. Expert-parallel groups are consecutive runs of EP
// data-parallel ranks. A storage node, when checkpoints are written, is the rank after the last.

/// Parallel degrees and how the step is run.
public struct ParallelDegrees: Sendable, Equatable {
    public var tensor: Int
    public var pipeline: Int
    public var data: Int
    public var expert: Int
    /// Micro-batches per iteration (1F1B over them when pipelined).
    public var microBatches: Int
    /// ZeRO-3/FSDP instead of DDP over the data-parallel ranks.
    public var zero3: Bool

    public init(tensor: Int = 1, pipeline: Int = 1, data: Int = 1, expert: Int = 1, microBatches: Int? = nil, zero3: Bool = false) {
        self.tensor = tensor
        self.pipeline = pipeline
        self.data = data
        self.expert = expert
        self.microBatches = microBatches ?? (pipeline > 1 ? 2 * pipeline : 1)
        self.zero3 = zero3
    }

    public var worldSize: Int { tensor * pipeline * data }
}

/// GPU time, modelled: a given time per layer forward, or FLOPs over a device's sustained throughput.
/// A layer's backward takes twice its forward.
public struct ComputeModel: Sendable, Equatable {
    public var layerForwardSeconds: Double?
    /// Sustained FLOP/s of one device.
    public var flops: Double

    public init(layerForwardSeconds: Double? = nil, teraflops: Double = 150) {
        self.layerForwardSeconds = layerForwardSeconds
        flops = teraflops * 1e12
    }

    public func forward(_ model: ModelDimensions, tensorParallel: Int) -> Double {
        layerForwardSeconds ?? model.layerForwardFLOPs(tensorParallel: tensorParallel) / flops
    }
}

public struct TrainingStep: Sendable {
    public var model: ModelDimensions
    public var degrees: ParallelDegrees
    public var compute: ComputeModel
    /// Write a checkpoint every this many iterations (0: never) to the storage rank.
    public var checkpointEvery: Int
    /// Multiplies every message size (to fit a big model's traffic into a small lab's time).
    public var scale: Double

    public init(model: ModelDimensions, degrees: ParallelDegrees, compute: ComputeModel = ComputeModel(), checkpointEvery: Int = 0,
                scale: Double = 1) {
        self.model = model
        self.degrees = degrees
        self.compute = compute
        self.checkpointEvery = checkpointEvery
        self.scale = scale
    }

    /// Training ranks, plus the storage node when checkpoints are written.
    public var ranks: Int { degrees.worldSize + (checkpointEvery > 0 ? 1 : 0) }

    public func rank(stage: Int, data: Int, tensor: Int) -> Int {
        stage * degrees.data * degrees.tensor + data * degrees.tensor + tensor
    }

    func scaled(_ bytes: Int) -> Int { max(4, Int((Double(bytes) * scale).rounded())) }

    /// Layers of each stage (the first stages take one more when L does not divide).
    func layers(of stage: Int) -> Range<Int> {
        let l = model.layers, p = degrees.pipeline
        return (l * stage / p)..<(l * (stage + 1) / p)
    }

    /// The program of iteration `iteration` (0-based; checkpoints after iterations it divides).
    public func program(iteration: Int = 0) -> Program {
        let d = degrees
        var program = Program(ranks: ranks)
        let forward = compute.forward(model, tensorParallel: d.tensor)
        let backward = 2 * forward
        let checkpoint = checkpointEvery > 0 && (iteration + 1) % checkpointEvery == 0
        for stage in 0..<d.pipeline {
            for dp in 0..<d.data {
                for tp in 0..<d.tensor {
                    let me = rank(stage: stage, data: dp, tensor: tp)
                    let tensorGroup = program.group((0..<d.tensor).map { rank(stage: stage, data: dp, tensor: $0) })
                    let dataMembers = (0..<d.data).map { rank(stage: stage, data: $0, tensor: tp) }
                    let dataGroup = program.group(dataMembers)
                    let expertStart = dp / d.expert * d.expert
                    let expertGroup = program.group(Array(dataMembers[expertStart..<min(expertStart + d.expert, d.data)]))
                    let previous = stage > 0 ? rank(stage: stage - 1, data: dp, tensor: tp) : nil
                    let next = stage < d.pipeline - 1 ? rank(stage: stage + 1, data: dp, tensor: tp) : nil
                    var builder = RankBuilder(program: program, rank: me, stage: stage, step: self, tensorGroup: tensorGroup, dataGroup: dataGroup,
                                              expertGroup: expertGroup, previous: previous, next: next, layers: layers(of: stage),
                                              forward: forward, backward: backward)
                    builder.iteration(checkpoint: checkpoint ? d.worldSize : nil)
                    program = builder.program
                }
            }
        }
        if checkpoint {
            let storage = d.worldSize
            let share = scaled(Int(model.checkpointBytes / Double(d.worldSize)))
            for source in 0..<d.worldSize { program.add(storage, .receive(from: source, bytes: share), label: "checkpoint") }
        }
        return program
    }
}

/// Builds one rank's tasks of one iteration.
struct RankBuilder {
    var program: Program
    let rank: Int
    let stage: Int
    let step: TrainingStep
    let tensorGroup: Int
    let dataGroup: Int
    let expertGroup: Int
    let previous: Int?
    let next: Int?
    let layers: Range<Int>
    let forward: Double
    let backward: Double
    /// The last task the next one must follow (program order of blocking work).
    var last: Int?
    /// Async work the end of the iteration waits for.
    var pending: [Int] = []
    /// Compute tasks of the current pass, for FSDP prefetch.
    var computes: [Int] = []
    var gradientLeft = 0
    var buckets: [Int] = []

    init(program: Program, rank: Int, stage: Int, step: TrainingStep, tensorGroup: Int, dataGroup: Int, expertGroup: Int, previous: Int?,
         next: Int?, layers: Range<Int>, forward: Double, backward: Double) {
        self.program = program
        self.rank = rank
        self.stage = stage
        self.step = step
        self.tensorGroup = tensorGroup
        self.dataGroup = dataGroup
        self.expertGroup = expertGroup
        self.previous = previous
        self.next = next
        self.layers = layers
        self.forward = forward
        self.backward = backward
    }

    var d: ParallelDegrees { step.degrees }
    var model: ModelDimensions { step.model }

    @discardableResult
    mutating func add(_ kind: ProgramTask.Kind, after: [Int?], label: String) -> Int {
        program.add(rank, kind, after: after, label: label)
    }

    /// 1F1B: stage s runs (stages - s - 1) forwards first, then alternates one forward and one
    /// backward, then drains the backwards.
    mutating func iteration(checkpoint storage: Int?) {
        let stages = d.pipeline, m = d.microBatches
        let warmup = min(stages - stage - 1, m)
        buckets = d.zero3 || d.data == 1 ? [] : DDPBuckets.sizes(gradientBytes: model.gradientBytes(tensorParallel: d.tensor, pipelineParallel: d.pipeline))
        for micro in 0..<warmup { forwardPass(micro) }
        for i in 0..<(m - warmup) {
            forwardPass(warmup + i)
            backwardPass(i, lastMicroBatch: i == m - 1)
        }
        for micro in (m - warmup)..<m {
            backwardPass(micro, lastMicroBatch: micro == m - 1)
        }
        // DDP: what is left of the gradients goes in the last bucket, exposed.
        if !buckets.isEmpty {
            for size in buckets {
                pending.append(add(.collective(group: dataGroup, operation: .allReduce, bytes: step.scaled(size)), after: [last], label: "dp all_reduce"))
            }
            buckets = []
        }
        // The optimizer step waits for every gradient.
        last = add(.compute(seconds: 0), after: [last] + pending, label: "optimizer")
        if let storage {
            let share = step.scaled(Int(model.checkpointBytes / Double(d.worldSize)))
            last = add(.send(to: storage, bytes: share), after: [last], label: "checkpoint")
        }
    }

    mutating func forwardPass(_ micro: Int) {
        if let previous {
            last = add(.receive(from: previous, bytes: step.scaled(model.pipelineMessageBytes)), after: [last], label: "pp recv")
        }
        computes = []
        for layer in layers {
            var gathered: Int?
            if d.zero3 && d.data > 1 {
                // Prefetch one layer ahead: the gather may start once the layer before the previous is done.
                let prefetch = computes.count >= 2 ? computes[computes.count - 2] : nil
                gathered = add(.collective(group: dataGroup, operation: .allGather, bytes: step.scaled(model.layerParameterBytes(tensorParallel: d.tensor))),
                               after: [prefetch], label: "fsdp all_gather")
            }
            last = add(.compute(seconds: forward), after: [last, gathered], label: "forward \(layer)")
            computes.append(last!)
            layerCommunication()
        }
        if let next {
            pending.append(add(.send(to: next, bytes: step.scaled(model.pipelineMessageBytes)), after: [last], label: "pp send"))
        }
    }

    mutating func backwardPass(_ micro: Int, lastMicroBatch: Bool) {
        if let next {
            last = add(.receive(from: next, bytes: step.scaled(model.pipelineMessageBytes)), after: [last], label: "pp recv")
        }
        computes = []
        let gradientPerLayer = model.gradientBytes(tensorParallel: d.tensor, pipelineParallel: d.pipeline) / max(1, layers.count)
        for layer in layers.reversed() {
            var gathered: Int?
            if d.zero3 && d.data > 1 {
                let prefetch = computes.count >= 2 ? computes[computes.count - 2] : nil
                gathered = add(.collective(group: dataGroup, operation: .allGather, bytes: step.scaled(model.layerParameterBytes(tensorParallel: d.tensor))),
                               after: [prefetch], label: "fsdp all_gather")
            }
            last = add(.compute(seconds: backward), after: [last, gathered], label: "backward \(layer)")
            computes.append(last!)
            layerCommunication()
            if d.zero3 && d.data > 1 {
                pending.append(add(.collective(group: dataGroup, operation: .reduceScatter, bytes: step.scaled(model.layerParameterBytes(tensorParallel: d.tensor))),
                                   after: [last], label: "fsdp reduce_scatter"))
            } else if lastMicroBatch && !buckets.isEmpty {
                // DDP: buckets fill in reverse layer order during the last micro-batch's backward and
                // are all-reduced while the backward goes on.
                gradientLeft += gradientPerLayer
                while let size = buckets.first, gradientLeft >= size {
                    pending.append(add(.collective(group: dataGroup, operation: .allReduce, bytes: step.scaled(size)), after: [last], label: "dp all_reduce"))
                    gradientLeft -= size
                    buckets.removeFirst()
                }
            }
        }
        if let previous {
            pending.append(add(.send(to: previous, bytes: step.scaled(model.pipelineMessageBytes)), after: [last], label: "pp send"))
        }
    }

    /// Per layer and pass: two blocking tensor-parallel all-reduces, and the MoE dispatch and combine.
    mutating func layerCommunication() {
        if d.tensor > 1 {
            for _ in 0..<2 {
                last = add(.collective(group: tensorGroup, operation: .allReduce, bytes: step.scaled(model.tensorParallelAllReduceBytes)), after: [last], label: "tp all_reduce")
            }
        }
        if model.isMixtureOfExperts && d.expert > 1 {
            for _ in 0..<2 {
                last = add(.collective(group: expertGroup, operation: .allToAllv, bytes: step.scaled(model.expertAllToAllBytes)), after: [last], label: "ep alltoallv")
            }
        }
    }
}
