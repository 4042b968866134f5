import NetLoomModel
import NetLoomPluginAPI

/// One request the client will send: when (seconds after the start) and its lengths.
struct PlannedRequest: Sendable, Equatable {
    var id: Int
    var offset: Double
    var promptTokens: Int
    var outputTokens: Int
}

/// The client side of every serving plugin: arrivals, lengths, the cap on requests in
/// flight, objectives, transport. Shared parameter specs and their reading.
struct LoadSpec: Sendable {
    enum Arrivals: Sendable, Equatable {
        case gamma(GammaArrivals)
        case trace
    }

    var arrivals: Arrivals
    var requests: Int
    var prompt: TokenLengths
    var output: TokenLengths
    /// The trace's requests in the chosen window, when lengths (or arrivals) come from one.
    var trace: [TraceRequest]?
    var traceName: String?
    var maxConcurrency: Int?
    var time: Duration?
    var drain: Duration
    var objectives: ServiceObjectives
    var seed: UInt64
    var transport: ServingTransport
    var tokenBytes: Int
    var warmConnections: Int?
    var model: String
    var congestion: String?

    static let parameters: [ParameterSpec] = [
        ParameterSpec("rate", .number(0.001...1_000_000), default: "10", help: "requests per second (the mean of the Gamma gaps is 1/rate)"),
        ParameterSpec("burstiness", .number(0.01...1000), default: "1",
                      help: "shape of the Gamma gaps: 1 is Poisson, below 1 burstier, above 1 more even"),
        ParameterSpec("requests", .integer(1...10_000_000), default: "100",
                      help: "requests to send (with a trace: at most this many of its window)"),
        ParameterSpec("max_concurrency", .integer(1...100_000), optional: true,
                      help: "requests in flight at most; an arrival beyond waits for one to finish"),
        ParameterSpec("prompt_tokens", .integer(1...1_000_000), default: "512", help: "prompt tokens per request (mean)"),
        ParameterSpec("prompt_spread", .number(0...1), default: "0", help: "prompt tokens uniform within +-this fraction"),
        ParameterSpec("output_tokens", .integer(1...1_000_000), default: "128", help: "output tokens per request (mean)"),
        ParameterSpec("output_spread", .number(0...1), default: "0", help: "output tokens uniform within +-this fraction"),
        ParameterSpec("trace", .string, optional: true,
                      help: "request trace: conv or code (Azure LLM inference traces 2023) or a CSV path; its lengths are used"),
        ParameterSpec("arrivals", .choice(["gamma", "trace"]), optional: true,
                      help: "arrival times: Gamma gaps (default without a trace) or the trace's own (default with one)"),
        ParameterSpec("trace_start", .duration, default: "0s", help: "where the trace window starts, after the trace's first request"),
        ParameterSpec("trace_window", .duration, optional: true, help: "how much of the trace to use (to its end if not set)"),
        ParameterSpec("trace_speed", .number(0.001...1000), default: "1",
                      help: "time scaling of trace arrivals: 2 sends twice the requests per second"),
        ParameterSpec("time", .duration, optional: true, help: "stop sending new requests after this long"),
        ParameterSpec("drain", .duration, default: "30s", help: "how long requests in flight may take after the last one was sent"),
        ParameterSpec("slo_ttft", .duration, optional: true, help: "goodput objective: time to first token at most this"),
        ParameterSpec("slo_tpot", .duration, optional: true, help: "goodput objective: time per output token at most this"),
        ParameterSpec("slo_e2e", .duration, optional: true, help: "goodput objective: end-to-end latency at most this"),
        ParameterSpec("seed", .integer(0...Int.max), default: "1", help: "seed of arrival gaps and lengths"),
        ParameterSpec("transport", .choice(["http", "tcp"]), default: "http",
                      help: "http: HTTP/1.1 with server-sent events; tcp: raw length-prefixed frames"),
        ParameterSpec("tcp_congestion", .string, optional: true,
                      help: "TCP congestion control of every connection the workload opens (e.g. cubic, bbr; default: the node's)"),
        ParameterSpec("token_bytes", .integer(1...64), default: "4", help: "bytes per prompt token on the wire"),
        ParameterSpec("warm_connections", .integer(0...10_000), optional: true,
                      help: "connections each client opens before the first request (default: max_concurrency, at most 64, or 4)"),
    ]

    init(parameters: PluginParameters) throws(LabError) {
        let rate = parameters.double("rate")
        let burstiness = parameters.double("burstiness")
        requests = parameters.int("requests")
        prompt = TokenLengths(mean: parameters.int("prompt_tokens"), spread: parameters.double("prompt_spread"))
        output = TokenLengths(mean: parameters.int("output_tokens"), spread: parameters.double("output_spread"))
        maxConcurrency = parameters.has("max_concurrency") ? parameters.int("max_concurrency") : nil
        time = parameters.optionalDuration("time")
        drain = parameters.duration("drain")
        seed = UInt64(parameters.int("seed"))
        transport = ServingTransport(rawValue: parameters.string("transport")) ?? .http
        tokenBytes = parameters.int("token_bytes")
        warmConnections = parameters.has("warm_connections") ? parameters.int("warm_connections") : nil
        model = parameters.has("model") ? parameters.string("model") : "netloom"
        congestion = parameters.optionalString("tcp_congestion")
        objectives = ServiceObjectives(
            ttft: parameters.optionalDuration("slo_ttft").map(seconds), tpot: parameters.optionalDuration("slo_tpot").map(seconds),
            e2e: parameters.optionalDuration("slo_e2e").map(seconds))
        if let time, time <= .zero { throw parameters.error("time must be above 0", for: "time") }
        for name in ["slo_ttft", "slo_tpot", "slo_e2e"] {
            if let value = parameters.optionalDuration(name), value <= .zero { throw parameters.error("\(name) must be above 0", for: name) }
        }

        let chosen = parameters.optionalString("arrivals")
        if let name = parameters.optionalString("trace") {
            guard let path = TraceLocator.path(for: name, labFile: parameters.location.file) else {
                throw parameters.error("no trace file \"\(name)\"", for: "trace",
                                       allowed: "conv, code (Labs/traces/azure-llm-2023/) or the path of a CSV")
            }
            let parsed: RequestTrace
            do {
                parsed = try RequestTrace.read(path: path)
            } catch {
                throw parameters.error("malformed trace: \(error)", for: "trace", allowed: "CSV rows TIMESTAMP,ContextTokens,GeneratedTokens")
            }
            let start = seconds(parameters.duration("trace_start"))
            let window = parameters.optionalDuration("trace_window").map(seconds)
            let rows = parsed.window(start: start, length: window, speed: parameters.double("trace_speed"))
            guard !rows.isEmpty else {
                throw parameters.error("the trace has no requests in this window", for: parameters.has("trace_window") ? "trace_window" : "trace_start",
                                       allowed: "the trace spans \(Int(parsed.requests.last?.offset ?? 0)) s")
            }
            trace = Array(rows.prefix(requests))
            traceName = name
            arrivals = chosen == "gamma" ? .gamma(GammaArrivals(rate: rate, burstiness: burstiness)) : .trace
        } else {
            if chosen == "trace" { throw parameters.error("arrivals: trace needs a `trace`", for: "arrivals", allowed: "add trace: conv") }
            if parameters.has("trace_window") { throw parameters.error("trace_window needs a `trace`", for: "trace_window") }
            arrivals = .gamma(GammaArrivals(rate: rate, burstiness: burstiness))
        }
    }

    /// Every request, its send time and lengths.
    func plan() -> [PlannedRequest] {
        var random = SeededRandom(seed: seed)
        let count = trace?.count ?? requests
        var offsets: [Double]
        switch arrivals {
        case .trace: offsets = trace?.map(\.offset) ?? []
        case .gamma(let gamma): offsets = gamma.offsets(count: count, random: &random)
        }
        var planned: [PlannedRequest] = []
        for index in 0..<count {
            let offset = offsets[index]
            if let time, offset >= seconds(time) { break }
            let promptTokens: Int
            let outputTokens: Int
            if let trace {
                promptTokens = trace[index].promptTokens
                outputTokens = max(1, trace[index].outputTokens)
            } else {
                promptTokens = prompt.draw(&random)
                outputTokens = output.draw(&random)
            }
            planned.append(PlannedRequest(id: index + 1, offset: offset, promptTokens: promptTokens, outputTokens: outputTokens))
        }
        return planned
    }

    /// What the configuration asks for, to compare with what was measured.
    var configuredRate: Double? {
        switch arrivals {
        case .gamma(let gamma): return gamma.rate
        case .trace:
            guard let trace, trace.count > 1, let last = trace.last, last.offset > 0 else { return nil }
            return Double(trace.count - 1) / last.offset
        }
    }

    var connectionsToWarm: Int { warmConnections ?? min(maxConcurrency ?? 4, 64) }
}
