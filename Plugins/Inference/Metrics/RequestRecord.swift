/// What the client saw of one request: when it was sent, when each streamed chunk
/// arrived and how many tokens it carried. Times are seconds on one clock (the
/// benchmark's), so records of different requests compare.
public struct RequestRecord: Sendable, Equatable {
    public var id: Int
    /// Tokens the client asked for and sent.
    public var promptTokens: Int
    public var requestedOutputTokens: Int
    /// When the request was handed to the connection (vLLM's `st`).
    public var sent: Double
    /// When each chunk with tokens arrived (read by the client), in order.
    public var chunkTimes: [Double] = []
    /// Tokens in each chunk.
    public var chunkTokens: [Int] = []
    /// The prompt tokens the server counted (its usage report), if it sent one.
    public var serverPromptTokens: Int?
    /// Disaggregated serving: the KV cache's transfer (first byte sent to last received)
    /// and the part of it the request waited for after its prefill compute ended.
    public var kvTransfer: Double?
    public var kvStall: Double?
    public var kvBytes: Int?
    /// nil: the stream ended with `[DONE]` (or its framing's equivalent).
    public var error: String?
    /// When the client was done with the request, after its stream ended or it failed
    /// (vLLM's benchmark duration runs until every request has returned, failed ones too).
    public var finished: Double?

    public init(id: Int, promptTokens: Int, requestedOutputTokens: Int, sent: Double) {
        self.id = id
        self.promptTokens = promptTokens
        self.requestedOutputTokens = requestedOutputTokens
        self.sent = sent
    }

    public var succeeded: Bool { error == nil && !chunkTimes.isEmpty }

    /// Output tokens received.
    public var outputTokens: Int { chunkTokens.reduce(0, +) }

    /// Time to the first chunk.
    public var ttft: Double? { chunkTimes.first.map { $0 - sent } }

    /// End to end: to the last chunk with tokens (vLLM's `latency`; `[DONE]` is not a chunk).
    public var e2e: Double? { chunkTimes.last.map { $0 - sent } }

    /// Gaps between successive chunks.
    public var itls: [Double] { zip(chunkTimes.dropFirst(), chunkTimes).map { $0 - $1 } }

    /// Time per output token after the first: (E2E - TTFT) / (output tokens - 1); nil
    /// with fewer than two tokens.
    public var tpot: Double? {
        guard let ttft, let e2e, outputTokens > 1 else { return nil }
        return (e2e - ttft) / Double(outputTokens - 1)
    }
}
