import Foundation

/// What the engine tells a request's stream: tokens as they are produced (grouped into
/// chunks), then the end.
protocol TokenSink: Sendable {
    /// `count` more tokens; `last` on the request's final chunk.
    func tokens(_ count: Int, last: Bool)
    /// The stream is over: `promptTokens` is the server's count of the prompt.
    func finish(promptTokens: Int)
    func fail(_ message: String)
}

/// One request for the engine.
struct EngineJob: Sendable {
    var id: Int
    var promptTokens: Int
    var outputTokens: Int
    /// Its KV cache came from a prefill node (disaggregated serving): no prefill here,
    /// the first token (computed there) is sent at admission.
    var prefilled: Bool = false
    var sink: any TokenSink
}

/// One step of the engine, for the code that spends its compute time (a sleep, or
/// layer compute interleaved with tensor-parallel all-reduces).
enum EngineStep: Sendable, Equatable {
    /// Prefill of `tokens` prompt tokens of `sequences` requests.
    case prefill(tokens: Int, sequences: Int)
    /// One decode step of `batch` sequences whose KV caches hold `contextTokens`.
    case decode(batch: Int, contextTokens: Int)
}

/// An emulated inference engine with continuous batching, on a thread of its own: each
/// iteration either prefills the requests waiting (up to `maxBatch` running sequences
/// and `maxBatchTokens` prompt tokens per prefill, first come first served; prefills
/// go first, as vLLM's default scheduler does) or runs one decode step in which every
/// running sequence produces one token. The prefill produces a request's first token.
/// Tokens are streamed in chunks of `tokensPerChunk` (the last chunk may be smaller).
final class ServingEngine: @unchecked Sendable {
    let maxBatch: Int
    let maxBatchTokens: Int
    let tokensPerChunk: Int
    /// Spends a step's compute time; runs on the engine's thread.
    let execute: @Sendable (EngineStep) -> Void
    /// No step takes any time (`engine: zero`): a request is served whole in `submit`,
    /// on the caller's thread (the connection's event loop). Exact, since with zero
    /// compute every token exists the moment the request arrives, and it spares the
    /// two thread hand-overs (to the engine's thread and back) that cost ~0.1 ms each
    /// on an idle VM and would sit in every TTFT as if the server computed.
    let instant: Bool

    private let condition = NSCondition()
    private var waiting: [EngineJob] = []
    private var stopped = false
    private var finished = false
    /// Steps run, for reports.
    private var counts = (prefills: 0, decodes: 0, batchSum: 0)

    init(maxBatch: Int, maxBatchTokens: Int, tokensPerChunk: Int, instant: Bool = false,
         execute: @escaping @Sendable (EngineStep) -> Void) {
        self.maxBatch = maxBatch
        self.maxBatchTokens = maxBatchTokens
        self.tokensPerChunk = tokensPerChunk
        self.instant = instant
        self.execute = execute
    }

    /// An engine whose steps take the times of `timing` (slept on the engine thread).
    convenience init(timing: EngineTiming, maxBatch: Int, maxBatchTokens: Int, tokensPerChunk: Int) {
        self.init(maxBatch: maxBatch, maxBatchTokens: maxBatchTokens, tokensPerChunk: tokensPerChunk,
                  instant: timing.isZero) { step in
            let start = ContinuousClock.now
            switch step {
            case .prefill(let tokens, _): sleepThread(until: start + timing.prefill(tokens: tokens))
            case .decode(let batch, let context): sleepThread(until: start + timing.decodeStep(batch: batch, contextTokens: context))
            }
        }
    }

    func start(name: String = "llm-engine") {
        if instant { return }
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func submit(_ job: EngineJob) {
        condition.lock()
        if stopped {
            condition.unlock()
            job.sink.fail("the engine has stopped")
            return
        }
        if !instant {
            waiting.append(job)
            condition.signal()
            condition.unlock()
            return
        }
        // One prefill step (none for a prefilled request) and a decode step of batch 1 per further token.
        let decodes = max(1, job.outputTokens) - 1
        if !job.prefilled { counts.prefills += 1 }
        counts.decodes += decodes
        counts.batchSum += decodes
        condition.unlock()
        var sequence = Running(job: job)
        sequence.produced = 1
        while emit(&sequence) { sequence.produced += 1 }
    }

    /// Stops the loop; requests still waiting or running fail.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// (prefill steps, decode steps, mean decode batch).
    var stepCounts: (prefills: Int, decodes: Int, meanBatch: Double) {
        condition.lock()
        defer { condition.unlock() }
        return (counts.prefills, counts.decodes, counts.decodes > 0 ? Double(counts.batchSum) / Double(counts.decodes) : 0)
    }

    private struct Running {
        var job: EngineJob
        var produced = 0
        var emitted = 0
    }

    private func loop() {
        var running: [Running] = []
        while true {
            condition.lock()
            while waiting.isEmpty && running.isEmpty && !stopped { condition.wait() }
            if stopped {
                let left = waiting
                waiting = []
                condition.unlock()
                for job in left { job.sink.fail("the engine stopped") }
                for sequence in running { sequence.job.sink.fail("the engine stopped") }
                return
            }
            var admitted: [EngineJob] = []
            var tokens = 0
            while let next = waiting.first, running.count + admitted.count < maxBatch,
                  admitted.isEmpty || next.prefilled || tokens + next.promptTokens <= maxBatchTokens {
                waiting.removeFirst()
                admitted.append(next)
                if !next.prefilled { tokens += next.promptTokens }
            }
            if tokens > 0 { counts.prefills += 1 } else if admitted.isEmpty {
                counts.decodes += 1
                counts.batchSum += running.count
            }
            condition.unlock()

            if !admitted.isEmpty {
                if tokens > 0 {
                    execute(.prefill(tokens: tokens, sequences: admitted.filter { !$0.prefilled }.count))
                }
                for job in admitted {
                    var sequence = Running(job: job)
                    sequence.produced = 1
                    if emit(&sequence) { running.append(sequence) }
                }
                continue
            }
            let context = running.reduce(0) { $0 + $1.job.promptTokens + $1.produced }
            execute(.decode(batch: running.count, contextTokens: context))
            var still: [Running] = []
            still.reserveCapacity(running.count)
            for var sequence in running {
                sequence.produced += 1
                if emit(&sequence) { still.append(sequence) }
            }
            running = still
        }
    }

    /// Sends the tokens due; false when the sequence is finished.
    private func emit(_ sequence: inout Running) -> Bool {
        let target = max(1, sequence.job.outputTokens)
        let done = sequence.produced >= target
        let pending = sequence.produced - sequence.emitted
        if pending >= tokensPerChunk || done {
            sequence.job.sink.tokens(pending, last: done)
            sequence.emitted = sequence.produced
        }
        if done { sequence.job.sink.finish(promptTokens: sequence.job.promptTokens) }
        return !done
    }
}
