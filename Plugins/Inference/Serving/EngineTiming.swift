/// How long an inference engine computes, as a function of the work (the engine is
/// emulated: no model runs, the server waits these times):
/// - prefill of a batch of prompts: `prefillBase + prefillPerToken x prompt tokens`
///   (compute-bound: linear in the tokens);
/// - one decode step of the running batch: `decodeBase + decodePerSequence x batch size
///   + decodePerContextToken x tokens in the batch's KV cache` (memory-bound: the
///   weights are read once per step, each sequence adds its share and its KV reads).
///
/// Presets are round numbers of the order that published measurements of vLLM on one
/// node give (fp16, no quantization); they are for shaping traffic, not for predicting a
/// real deployment: set the four times from your own engine's profile for that.
public struct EngineTiming: Sendable, Equatable {
    public var prefillBase: Duration
    public var prefillPerToken: Duration
    public var decodeBase: Duration
    public var decodePerSequence: Duration
    public var decodePerContextToken: Duration

    public init(prefillBase: Duration, prefillPerToken: Duration, decodeBase: Duration, decodePerSequence: Duration,
                decodePerContextToken: Duration = .zero) {
        self.prefillBase = prefillBase
        self.prefillPerToken = prefillPerToken
        self.decodeBase = decodeBase
        self.decodePerSequence = decodePerSequence
        self.decodePerContextToken = decodePerContextToken
    }

    /// No compute at all: every delay a client sees is the network's and the stacks'.
    public static let zero = EngineTiming(prefillBase: .zero, prefillPerToken: .zero, decodeBase: .zero, decodePerSequence: .zero)

    /// The presets by name (`engine:` in a lab file).
    public static let presets: [String: EngineTiming] = [
        "zero": .zero,
        // 7B on one A100-80GB: ~14 GFLOP per prompt token at ~50% of 312 TFLOP/s; 13.5 GB of
        // weights read per step at ~2 TB/s, and each sequence's KV cache (512 KiB per token) too.
        "llama-2-7b-a100": EngineTiming(
            prefillBase: .milliseconds(5), prefillPerToken: .microseconds(90), decodeBase: .milliseconds(8),
            decodePerSequence: .microseconds(150), decodePerContextToken: .nanoseconds(260)),
        // 8B on one H100-80GB: ~3x the A100's compute, ~1.7x its memory bandwidth (3.35 TB/s; the
        // KV cache is 128 KiB per token with grouped-query attention).
        "llama-3-8b-h100": EngineTiming(
            prefillBase: .milliseconds(3), prefillPerToken: .microseconds(35), decodeBase: .milliseconds(5),
            decodePerSequence: .microseconds(80), decodePerContextToken: .nanoseconds(40)),
        // 70B over 4 H100s with tensor parallelism inside the node (NVLink); each reads its quarter of
        // the 320 KiB per token of KV cache.
        "llama-3-70b-h100x4": EngineTiming(
            prefillBase: .milliseconds(10), prefillPerToken: .microseconds(80), decodeBase: .milliseconds(14),
            decodePerSequence: .microseconds(200), decodePerContextToken: .nanoseconds(25)),
    ]

    public static var presetNames: [String] { presets.keys.sorted() }

    public func prefill(tokens: Int) -> Duration {
        tokens > 0 ? prefillBase + prefillPerToken * tokens : .zero
    }

    public func decodeStep(batch: Int, contextTokens: Int) -> Duration {
        batch > 0 ? decodeBase + decodePerSequence * batch + decodePerContextToken * contextTokens : .zero
    }

    public var isZero: Bool { self == .zero }
}
