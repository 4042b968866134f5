import NetLoomPluginAPI
import Synchronization

/// Sends the planned requests at their times (each on an idle keep-alive connection of
/// the pool `route` picks), waits at most `maxConcurrency` in flight, and collects what
/// each stream looked like. Sending stops at the workload's deadline; requests still in
/// flight get `drain` to finish (never past the deadline).
struct LoadGenerator: Sendable {
    let spec: LoadSpec
    let context: PluginContext

    /// `pools` are closed when the drain time is up, which ends the requests still in flight
    /// (they count as failed).
    func run(_ plan: [PlannedRequest], pools: [ConnectionPool], route: @escaping @Sendable (PlannedRequest) -> ConnectionPool) async
        -> [RequestRecord]
    {
        let records = Locked<[RequestRecord]>([])
        let limiter = spec.maxConcurrency.map { AsyncLimiter($0) }
        let promptCache = PromptCache(tokenBytes: spec.tokenBytes)
        let origin = ContinuousClock.now + .milliseconds(20)
        let stopSending = context.deadline
        let completed = Locked((count: 0, lastReport: ContinuousClock.now))
        await withTaskGroup(of: Void.self) { group in
            for request in plan {
                let due = origin + duration(seconds: request.offset)
                if let stopSending, due >= stopSending { break }
                try? await Task.sleep(until: due, clock: .continuous)
                if Task.isCancelled { break }
                await limiter?.acquire()
                group.addTask {
                    defer { limiter?.release() }
                    let pool = route(request)
                    var record: RequestRecord
                    // A request that has to open a connection counts its setup in TTFT and E2E, as vLLM's
                    // do; on an idle connection the clock starts when the request is written, so the
                    // client's own hand-over between threads is not counted as network time.
                    let issued = secondsSince(origin)
                    do {
                        let (connection, opened) = try await pool.acquire()
                        record = await connection.perform(
                            id: request.id, promptTokens: request.promptTokens, outputTokens: request.outputTokens,
                            prompt: promptCache.prompt(tokens: request.promptTokens), model: spec.model, origin: origin,
                            issued: opened ? issued : nil)
                        pool.release(connection)
                    } catch {
                        var failed = RequestRecord(id: request.id, promptTokens: request.promptTokens,
                                                   requestedOutputTokens: request.outputTokens, sent: issued)
                        failed.error = "connect: \(error)"
                        record = failed
                    }
                    record.finished = secondsSince(origin)
                    records.withLock { $0.append(record) }
                    if let ttft = record.ttft { context.metrics.sample("ttft", ttft * 1e3, unit: "ms") }
                    let report = completed.withLock { state -> Int? in
                        state.count += 1
                        guard ContinuousClock.now - state.lastReport >= .seconds(1) else { return nil }
                        state.lastReport = ContinuousClock.now
                        return state.count
                    }
                    if let report { context.metrics.progress("requests done", Double(report), unit: "requests") }
                }
            }
            var limit = ContinuousClock.now + spec.drain
            if let deadline = context.deadline, deadline < limit { limit = deadline }
            let end = limit
            let watchdog = Task {
                try await Task.sleep(until: end, clock: .continuous)
                for pool in pools { await pool.closeAll() }
            }
            await group.waitForAll()
            watchdog.cancel()
        }
        return records.value.sorted { $0.id < $1.id }
    }
}

/// Prompts by length, made once.
final class PromptCache: Sendable {
    let tokenBytes: Int
    private let prompts = Mutex<[Int: String]>([:])

    init(tokenBytes: Int) { self.tokenBytes = tokenBytes }

    func prompt(tokens: Int) -> String {
        if let cached = prompts.withLock({ $0[tokens] }) { return cached }
        let text = ServingWire.prompt(tokens: tokens, tokenBytes: tokenBytes)
        prompts.withLock { $0[tokens] = text }
        return text
    }
}
