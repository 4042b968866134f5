/// Service-level objectives for goodput, after vLLM's `--goodput ttft:MS tpot:MS e2el:MS`:
/// a request is good when every objective that is set holds (value <= objective).
public struct ServiceObjectives: Sendable, Equatable {
    public var ttft: Double?
    public var tpot: Double?
    public var e2e: Double?

    public init(ttft: Double? = nil, tpot: Double? = nil, e2e: Double? = nil) {
        self.ttft = ttft
        self.tpot = tpot
        self.e2e = e2e
    }

    public var isEmpty: Bool { ttft == nil && tpot == nil && e2e == nil }

    /// Whether a completed request meets every objective. A request with one output
    /// token has no TPOT and counts as 0 there (as in vLLM).
    public func met(by record: RequestRecord) -> Bool {
        guard let ttft = record.ttft, let e2e = record.e2e else { return false }
        if let limit = self.ttft, ttft > limit { return false }
        if let limit = tpot, (record.tpot ?? 0) > limit { return false }
        if let limit = self.e2e, e2e > limit { return false }
        return true
    }
}

/// The serving metrics of a run, defined as vLLM's serving benchmark
/// (benchmarks/benchmark_serving.py) defines them:
/// - TTFT: time from sending a request to its first streamed chunk;
/// - ITL: every gap between successive chunks of a request, over all requests;
/// - TPOT: per request, (E2E - TTFT) / (output tokens - 1), for requests with more than one token;
/// - E2E: time from sending a request to its last chunk;
/// - throughput: completed requests and output tokens over the run's duration, from the
///   first request sent to the last one returned (failed ones included, as vLLM's
///   benchmark awaits every request before it stops its clock);
/// - goodput: completed requests meeting every objective, per second of that duration.
/// All times in seconds.
public struct ServingMetrics: Sendable, Equatable {
    public var completed: Int
    public var failed: Int
    public var duration: Double
    public var ttft: Statistics?
    public var itl: Statistics?
    public var tpot: Statistics?
    public var e2e: Statistics?
    public var requestThroughput: Double
    public var outputThroughput: Double
    public var totalTokenThroughput: Double
    public var goodRequests: Int
    public var goodput: Double?
    /// (requests - 1) / (last send - first send): the arrival rate the client achieved.
    public var arrivalRate: Double?
    public var meanPromptTokens: Double
    public var meanOutputTokens: Double
    public var kvTransfer: Statistics?
    public var kvStall: Statistics?
    /// Mean over requests of KV transfer / TTFT and of KV stall / TTFT.
    public var kvShareOfTTFT: Double?
    public var kvStallShareOfTTFT: Double?

    public init(records: [RequestRecord], objectives: ServiceObjectives = ServiceObjectives()) {
        let done = records.filter(\.succeeded)
        completed = done.count
        failed = records.count - done.count
        let start = records.map(\.sent).min() ?? 0
        let end = records.compactMap { $0.finished ?? $0.chunkTimes.last }.max() ?? start
        duration = end - start
        ttft = Statistics(done.compactMap(\.ttft))
        itl = Statistics(done.flatMap(\.itls))
        tpot = Statistics(done.compactMap(\.tpot))
        e2e = Statistics(done.compactMap(\.e2e))
        let outputTokens = done.map(\.outputTokens).reduce(0, +)
        let promptTokens = done.map { $0.serverPromptTokens ?? $0.promptTokens }.reduce(0, +)
        requestThroughput = duration > 0 ? Double(completed) / duration : 0
        outputThroughput = duration > 0 ? Double(outputTokens) / duration : 0
        totalTokenThroughput = duration > 0 ? Double(outputTokens + promptTokens) / duration : 0
        goodRequests = objectives.isEmpty ? completed : done.filter { objectives.met(by: $0) }.count
        goodput = objectives.isEmpty || duration <= 0 ? nil : Double(goodRequests) / duration
        let sends = records.map(\.sent).sorted()
        if sends.count > 1, let first = sends.first, let last = sends.last, last > first {
            arrivalRate = Double(sends.count - 1) / (last - first)
        }
        meanPromptTokens = done.isEmpty ? 0 : Double(promptTokens) / Double(done.count)
        meanOutputTokens = done.isEmpty ? 0 : Double(outputTokens) / Double(done.count)
        kvTransfer = Statistics(done.compactMap(\.kvTransfer))
        kvStall = Statistics(done.compactMap(\.kvStall))
        let shares = done.compactMap { record in record.kvTransfer.flatMap { kv in record.ttft.map { kv / $0 } } }
        kvShareOfTTFT = shares.isEmpty ? nil : shares.reduce(0, +) / Double(shares.count)
        let stallShares = done.compactMap { record in record.kvStall.flatMap { kv in record.ttft.map { kv / $0 } } }
        kvStallShareOfTTFT = stallShares.isEmpty ? nil : stallShares.reduce(0, +) / Double(stallShares.count)
    }
}
