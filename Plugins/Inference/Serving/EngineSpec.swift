import NetLoomModel
import NetLoomPluginAPI

/// The server side's parameters: the engine's timing (a preset and overrides), its
/// batch limits and how tokens are grouped into chunks.
struct EngineSpec: Sendable {
    var timing: EngineTiming
    var presetName: String
    var maxBatch: Int
    var maxBatchTokens: Int
    var tokensPerChunk: Int

    static let parameters: [ParameterSpec] = [
        ParameterSpec("engine", .choice(EngineTiming.presetNames), default: "llama-3-8b-h100",
                      help: "timing preset of the emulated engine (zero: no compute)"),
        ParameterSpec("prefill_base", .duration, optional: true, help: "overrides the preset: fixed time of a prefill"),
        ParameterSpec("prefill_per_token", .duration, optional: true, help: "overrides the preset: prefill time per prompt token"),
        ParameterSpec("decode_base", .duration, optional: true, help: "overrides the preset: fixed time of a decode step"),
        ParameterSpec("decode_per_seq", .duration, optional: true, help: "overrides the preset: decode step time per running sequence"),
        ParameterSpec("decode_per_kv_token", .duration, optional: true,
                      help: "overrides the preset: decode step time per token in the batch's KV caches"),
        ParameterSpec("max_batch", .integer(1...100_000), default: "256", help: "running sequences at most (vLLM's max_num_seqs)"),
        ParameterSpec("max_batch_tokens", .integer(1...10_000_000), default: "8192",
                      help: "prompt tokens per prefill step at most (a longer prompt is prefilled alone)"),
        ParameterSpec("tokens_per_chunk", .integer(1...10_000), default: "1", help: "tokens per streamed chunk"),
    ]

    init(parameters: PluginParameters) throws(LabError) {
        presetName = parameters.string("engine")
        var timing = EngineTiming.presets[presetName] ?? .zero
        for name in ["prefill_base", "prefill_per_token", "decode_base", "decode_per_seq", "decode_per_kv_token"] {
            if let value = parameters.optionalDuration(name), value < .zero {
                throw parameters.error("\(name) must not be negative", for: name)
            }
        }
        if let value = parameters.optionalDuration("prefill_base") { timing.prefillBase = value }
        if let value = parameters.optionalDuration("prefill_per_token") { timing.prefillPerToken = value }
        if let value = parameters.optionalDuration("decode_base") { timing.decodeBase = value }
        if let value = parameters.optionalDuration("decode_per_seq") { timing.decodePerSequence = value }
        if let value = parameters.optionalDuration("decode_per_kv_token") { timing.decodePerContextToken = value }
        self.timing = timing
        maxBatch = parameters.int("max_batch")
        maxBatchTokens = parameters.int("max_batch_tokens")
        tokensPerChunk = parameters.int("tokens_per_chunk")
    }

    func makeEngine() -> ServingEngine {
        ServingEngine(timing: timing, maxBatch: maxBatch, maxBatchTokens: maxBatchTokens, tokensPerChunk: tokensPerChunk)
    }

    func report(_ engine: ServingEngine, context: PluginContext, prefix: String = "") {
        let counts = engine.stepCounts
        context.metrics.result("\(prefix)prefill steps", Double(counts.prefills), unit: "steps")
        context.metrics.result("\(prefix)decode steps", Double(counts.decodes), unit: "steps")
        context.metrics.result("\(prefix)mean decode batch", counts.meanBatch, unit: "sequences")
    }
}
