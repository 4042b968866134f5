import NetLoomModel
import NetLoomPluginAPI

/// The shape of a transformer that sizes its KV cache and its tensor-parallel traffic.
///
/// KV cache per token: 2 (K and V) x layers x kv_heads x head_dim x bytes per element
/// (Llama-2-7B in fp16: 2 x 32 x 32 x 128 x 2 = 524,288 B = 512 KiB; Llama-3-8B with
/// grouped-query attention: 128 KiB; Llama-3-70B: 320 KiB). A tensor-parallel all-reduce
/// moves tokens x hidden x bytes per element.
public struct ModelShape: Sendable, Equatable {
    public var name: String
    public var layers: Int
    public var kvHeads: Int
    public var headDim: Int
    public var hidden: Int
    public var bytesPerElement: Int

    public init(name: String, layers: Int, kvHeads: Int, headDim: Int, hidden: Int, bytesPerElement: Int = 2) {
        self.name = name
        self.layers = layers
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.hidden = hidden
        self.bytesPerElement = bytesPerElement
    }

    /// The models' published configurations (config.json of each), fp16/bf16.
    public static let presets: [String: ModelShape] = [
        "llama-2-7b": ModelShape(name: "llama-2-7b", layers: 32, kvHeads: 32, headDim: 128, hidden: 4096),
        "llama-3-8b": ModelShape(name: "llama-3-8b", layers: 32, kvHeads: 8, headDim: 128, hidden: 4096),
        "llama-3-70b": ModelShape(name: "llama-3-70b", layers: 80, kvHeads: 8, headDim: 128, hidden: 8192),
    ]

    public static var presetNames: [String] { presets.keys.sorted() }

    /// KV-cache bytes of one token in one layer.
    public var kvBytesPerTokenPerLayer: Int { 2 * kvHeads * headDim * bytesPerElement }

    /// KV-cache bytes of one token in all layers.
    public var kvBytesPerToken: Int { layers * kvBytesPerTokenPerLayer }

    public func kvBytes(tokens: Int) -> Int { tokens * kvBytesPerToken }

    /// Bytes of one tensor-parallel all-reduce over `tokens` tokens.
    public func allReduceBytes(tokens: Int) -> Int { tokens * hidden * bytesPerElement }

    static let parameters: [ParameterSpec] = [
        ParameterSpec("model", .choice(presetNames), default: "llama-2-7b", help: "model shape (layers, KV heads, head size, hidden size)"),
        ParameterSpec("layers", .integer(1...1_000), optional: true, help: "overrides the model: transformer layers"),
        ParameterSpec("kv_heads", .integer(1...1_024), optional: true, help: "overrides the model: key/value heads"),
        ParameterSpec("head_dim", .integer(1...16_384), optional: true, help: "overrides the model: size of a head"),
        ParameterSpec("hidden", .integer(1...1_000_000), optional: true, help: "overrides the model: hidden size"),
        ParameterSpec("dtype_bytes", .integer(1...8), default: "2", help: "bytes per element (2: fp16/bf16, 1: fp8)"),
    ]

    init(parameters: PluginParameters) {
        var shape = Self.presets[parameters.string("model")] ?? Self.presets["llama-2-7b"]!
        if parameters.has("layers") { shape.layers = parameters.int("layers") }
        if parameters.has("kv_heads") { shape.kvHeads = parameters.int("kv_heads") }
        if parameters.has("head_dim") { shape.headDim = parameters.int("head_dim") }
        if parameters.has("hidden") { shape.hidden = parameters.int("hidden") }
        shape.bytesPerElement = parameters.int("dtype_bytes")
        self = shape
    }
}
