// Plugins/Training / Models: a transformer's dimensions, the presets, and the message sizes that
// follow from them (DESIGN.md, "Training patterns": b micro-batch, s sequence, h hidden, L layers,
// Psi parameters, B bytes per element).

/// The dimensions that set a training step's traffic.
public struct ModelDimensions: Sendable, Equatable {
    public var name: String
    /// h
    public var hidden: Int
    /// L
    public var layers: Int
    /// s
    public var sequence: Int
    /// b
    public var microBatch: Int
    /// B (2 for bf16)
    public var bytesPerElement: Int
    /// Psi, all parameters.
    public var parameters: Double
    /// Parameters a token passes through (MoE: only its top-k experts); Psi for dense models.
    public var activeParameters: Double
    /// MoE: experts per MoE layer (0 for dense models) and experts per token.
    public var experts: Int
    public var topK: Int

    public init(name: String, hidden: Int, layers: Int, sequence: Int, microBatch: Int = 1, bytesPerElement: Int = 2,
                parameters: Double, activeParameters: Double? = nil, experts: Int = 0, topK: Int = 0) {
        self.name = name
        self.hidden = hidden
        self.layers = layers
        self.sequence = sequence
        self.microBatch = microBatch
        self.bytesPerElement = bytesPerElement
        self.parameters = parameters
        self.activeParameters = activeParameters ?? parameters
        self.experts = experts
        self.topK = topK
    }

    public var isMixtureOfExperts: Bool { experts > 0 && topK > 0 }

    /// Published dimensions: Llama 2 (Touvron et al. 2023), GPT-3 (Brown et al. 2020), Mixtral
    /// (Jiang et al. 2024). Sequence lengths are the training context (Llama 2: 4096, GPT-3: 2048);
    /// the micro-batch is 1 sequence and elements are bf16.
    public static let presets: [String: ModelDimensions] = [
        "llama2-7b": ModelDimensions(name: "llama2-7b", hidden: 4096, layers: 32, sequence: 4096, parameters: 6_738_415_616),
        "llama2-70b": ModelDimensions(name: "llama2-70b", hidden: 8192, layers: 80, sequence: 4096, parameters: 68_976_648_192),
        "gpt3-175b": ModelDimensions(name: "gpt3-175b", hidden: 12288, layers: 96, sequence: 2048, parameters: 175_000_000_000),
        "mixtral-8x7b": ModelDimensions(name: "mixtral-8x7b", hidden: 4096, layers: 32, sequence: 4096, parameters: 46_702_792_704,
                                        activeParameters: 12_879_925_248, experts: 8, topK: 2),
    ]

    public static var presetNames: [String] { presets.keys.sorted() }

    // MARK: message sizes

    /// b*s*h*B: one activation (or its gradient) of a micro-batch; the tensor-parallel all-reduce and
    /// the pipeline-parallel message.
    public var activationBytes: Int { microBatch * sequence * hidden * bytesPerElement }

    /// Tensor parallel: each layer all-reduces b*s*h*B twice forward and twice backward.
    public var tensorParallelAllReduceBytes: Int { activationBytes }

    /// Pipeline parallel: b*s*h*B forward and backward per micro-batch per stage boundary.
    public var pipelineMessageBytes: Int { activationBytes }

    /// MoE expert parallel: each all-to-all carries about b*s*k*h*B per rank (before load skew).
    public var expertAllToAllBytes: Int { microBatch * sequence * topK * hidden * bytesPerElement }

    /// Gradient bytes a rank all-reduces over data parallel: its tensor and pipeline share of Psi.
    public func gradientBytes(tensorParallel: Int, pipelineParallel: Int) -> Int {
        Int(parameters / Double(tensorParallel * pipelineParallel)) * bytesPerElement
    }

    /// ZeRO-3/FSDP: a layer's parameters (its tensor-parallel share), gathered before its forward
    /// and its backward and reduce-scattered as gradients after its backward.
    public func layerParameterBytes(tensorParallel: Int) -> Int {
        Int(parameters / Double(layers * tensorParallel)) * bytesPerElement
    }

    /// A checkpoint: about 14 bytes per parameter (bf16 weights, fp32 master weights and two Adam moments).
    public var checkpointBytes: Double { 14 * parameters }

    /// Forward FLOPs of one layer for one micro-batch on one tensor-parallel rank: 2 per active
    /// parameter per token, plus attention scores and values, 4*b*s^2*h.
    public func layerForwardFLOPs(tensorParallel: Int) -> Double {
        let tokens = Double(microBatch * sequence)
        let dense = 2 * activeParameters / Double(layers) * tokens
        let attention = 4 * Double(microBatch) * Double(sequence) * Double(sequence) * Double(hidden)
        return (dense + attention) / Double(tensorParallel)
    }
}

/// PyTorch DDP's gradient buckets: the first holds 1 MiB, the others 25 MiB, the last what is left.
public enum DDPBuckets {
    public static let first = 1 << 20
    public static let cap = 25 << 20

    public static func sizes(gradientBytes: Int) -> [Int] {
        var left = gradientBytes, result: [Int] = []
        while left > 0 {
            let size = min(left, result.isEmpty ? first : cap)
            result.append(size)
            left -= size
        }
        return result
    }
}
