import NetLoomPluginAPI

/// The LLM serving plugins: a streamed serving pair, prefill/decode disaggregation
/// with KV-cache transfer, and tensor-parallel serving across nodes.
public enum InferencePlugins {
    public static let all: [any TrafficPlugin.Type] = [ServingPlugin.self, DisaggregatedPlugin.self, TensorParallelPlugin.self]
}
