// Plugins/Training: `training`, the network side of training iterations: a model (a preset or
// dimensions) split over the workload's nodes by tensor, pipeline, data and expert parallel degrees,
// compute modelled as time, and every collective and message of the step run over the lab.

import NetLoomModel
import NetLoomPluginAPI

public struct TrainingPlugin: TrafficPlugin {
    public static let name = "training"
    public static let summary = "Training iterations (DDP, ZeRO-3/FSDP, TP, PP 1F1B, MoE, checkpoints) of a preset or custom model."
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("preset", .choice(ModelDimensions.presetNames + ["custom"]), default: "llama2-7b",
                      help: "model dimensions to start from (custom: give them all)"),
        ParameterSpec("hidden", .integer(1...1_000_000), optional: true, help: "h, hidden size"),
        ParameterSpec("layers", .integer(1...10_000), optional: true, help: "L, transformer layers"),
        ParameterSpec("sequence", .integer(1...10_000_000), optional: true, help: "s, sequence length"),
        ParameterSpec("micro_batch", .integer(1...100_000), optional: true, help: "b, sequences per micro-batch"),
        ParameterSpec("bytes_per_element", .integer(1...8), optional: true, help: "B (2 for bf16)"),
        ParameterSpec("parameters", .number(1...1e15), optional: true, help: "Psi, parameters"),
        ParameterSpec("active_parameters", .number(1...1e15), optional: true, help: "parameters a token uses (MoE)"),
        ParameterSpec("experts", .integer(0...100_000), optional: true, help: "MoE experts per layer (0: dense)"),
        ParameterSpec("top_k", .integer(0...1_000), optional: true, help: "MoE experts per token"),
        ParameterSpec("tp", .integer(1...4096), default: "1", help: "tensor-parallel degree"),
        ParameterSpec("pp", .integer(1...4096), default: "1", help: "pipeline-parallel stages"),
        ParameterSpec("dp", .integer(1...65536), optional: true, help: "data-parallel degree (default: nodes / (tp x pp))"),
        ParameterSpec("ep", .integer(1...65536), default: "1", help: "expert-parallel degree (divides dp)"),
        ParameterSpec("micro_batches", .integer(1...100_000), optional: true, help: "micro-batches per iteration (default 2 x pp, or 1)"),
        ParameterSpec("sharding", .choice(["ddp", "zero3", "fsdp"]), default: "ddp", help: "data parallel: DDP buckets or ZeRO-3/FSDP"),
        ParameterSpec("layer_time", .duration, optional: true, help: "forward time of one layer per micro-batch (else from FLOPs)"),
        ParameterSpec("tflops", .number(0.001...1e6), default: "150", help: "sustained TFLOP/s of one device, for compute from FLOPs"),
        ParameterSpec("iterations", .integer(1...100_000), default: "3", help: "timed iterations"),
        ParameterSpec("warmup", .integer(0...1_000), default: "1", help: "untimed iterations first"),
        ParameterSpec("checkpoint_every", .integer(0...1_000_000), default: "0",
                      help: "write a checkpoint (14 bytes per parameter) every N iterations to the last node (0: never)"),
        ParameterSpec("scale", .number(1e-9...1), default: "1", help: "multiply every message size (fit a big model into a small lab)"),
        ParameterSpec("chunk", .size, default: "512KiB", help: "pipelining piece of collectives"),
        ParameterSpec("overhead", .string, default: "auto", help: "per-message overhead in the prediction's alpha: auto (measured by ping-pong) or a time"),
        ParameterSpec("unshaped_rate", .bitrate, default: "10gbit", help: "rate assumed for links without one, in the prediction"),
        ParameterSpec("frame", .string, default: "auto", help: "what a hop stores before forwarding, in the prediction (see the collective plugin)"),
    ]

    public let step: TrainingStep
    let iterations: Int
    let warmup: Int
    let chunk: Int
    let overhead: Duration?
    let unshapedRate: Double
    let frameBytes: Int

    public init(parameters: PluginParameters) throws(LabError) {
        let preset = parameters.string("preset")
        var model = ModelDimensions.presets[preset] ?? ModelDimensions(name: "custom", hidden: 0, layers: 0, sequence: 0, parameters: 0)
        if parameters.has("hidden") { model.hidden = parameters.int("hidden") }
        if parameters.has("layers") { model.layers = parameters.int("layers") }
        if parameters.has("sequence") { model.sequence = parameters.int("sequence") }
        if parameters.has("micro_batch") { model.microBatch = parameters.int("micro_batch") }
        if parameters.has("bytes_per_element") { model.bytesPerElement = parameters.int("bytes_per_element") }
        if parameters.has("parameters") {
            model.parameters = parameters.double("parameters")
            if !parameters.has("active_parameters") && !model.isMixtureOfExperts { model.activeParameters = model.parameters }
        }
        if parameters.has("active_parameters") { model.activeParameters = parameters.double("active_parameters") }
        if parameters.has("experts") { model.experts = parameters.int("experts") }
        if parameters.has("top_k") { model.topK = parameters.int("top_k") }
        if model.hidden == 0 || model.layers == 0 || model.sequence == 0 || model.parameters == 0 {
            throw parameters.error("a custom model needs hidden, layers, sequence and parameters", for: "preset")
        }
        let tp = parameters.int("tp"), pp = parameters.int("pp"), ep = parameters.int("ep")
        let checkpointEvery = parameters.int("checkpoint_every")
        let trainingNodes = parameters.nodes.count - (checkpointEvery > 0 ? 1 : 0)
        let dp = parameters.has("dp") ? parameters.int("dp") : max(1, trainingNodes / (tp * pp))
        guard tp * pp * dp == trainingNodes else {
            throw parameters.error("tp x pp x dp = \(tp * pp * dp) ranks, but the workload has \(trainingNodes) training nodes"
                                   + (checkpointEvery > 0 ? " (the last node is the checkpoint storage)" : ""),
                                   allowed: "list tp x pp x dp nodes\(checkpointEvery > 0 ? " plus one for storage" : "")")
        }
        guard dp % ep == 0 else { throw parameters.error("ep \(ep) does not divide dp \(dp)", for: "ep") }
        if ep > 1 && !model.isMixtureOfExperts {
            throw parameters.error("ep \(ep) needs a mixture-of-experts model", for: "ep", allowed: "ep: 1, or set experts and top_k (or preset: mixtral-8x7b)")
        }
        if ep > 1 && model.experts % ep != 0 {
            throw parameters.error("ep \(ep) does not divide the \(model.experts) experts", for: "ep")
        }
        guard model.layers >= pp else { throw parameters.error("\(model.layers) layers cannot fill \(pp) stages", for: "pp") }
        if Set(parameters.nodes).count != parameters.nodes.count { throw parameters.error("each rank needs a node of its own") }
        let sharding = parameters.string("sharding")
        let degrees = ParallelDegrees(tensor: tp, pipeline: pp, data: dp, expert: ep,
                                      microBatches: parameters.has("micro_batches") ? parameters.int("micro_batches") : nil,
                                      zero3: sharding != "ddp")
        let compute = ComputeModel(layerForwardSeconds: parameters.optionalDuration("layer_time").map(PathTable.seconds),
                                   teraflops: parameters.double("tflops"))
        step = TrainingStep(model: model, degrees: degrees, compute: compute, checkpointEvery: checkpointEvery,
                            scale: parameters.double("scale"))
        iterations = parameters.int("iterations")
        warmup = parameters.int("warmup")
        chunk = Int(parameters.size("chunk").bytes)
        overhead = try OverheadParameter.duration(parameters)
        unshapedRate = Double(parameters.bitrate("unshaped_rate").bitsPerSecond)
        frameBytes = try FrameParameter.bytes(parameters)
    }

    public func run(in context: PluginContext) async throws {
        let model = step.model, d = step.degrees
        context.metrics.result("tp all_reduce bytes", Double(d.tensor > 1 ? model.tensorParallelAllReduceBytes : 0), unit: "bytes")
        context.metrics.result("pp message bytes", Double(d.pipeline > 1 ? model.pipelineMessageBytes : 0), unit: "bytes")
        context.metrics.result("dp gradient bytes", Double(d.data > 1 ? model.gradientBytes(tensorParallel: d.tensor, pipelineParallel: d.pipeline) : 0), unit: "bytes")
        context.metrics.result("layer forward", step.compute.forward(model, tensorParallel: d.tensor) * 1000, unit: "ms")
        let session = ProgramSession(context: context, chunkBytes: chunk, unshapedRate: unshapedRate, overhead: overhead, frameBytes: frameBytes)
        try await session.run(iterations: iterations, warmup: warmup) { step.program(iteration: $0) }
    }
}
