import NetLoomModel
import NetLoomPluginAPI

/// `llm-serving`: LLM inference traffic between clients and one server. The server (the
/// last node) emulates an inference engine's timing with continuous batching and streams
/// tokens over HTTP/1.1 as server-sent events (or raw TCP frames); the clients (every other
/// node) send requests with Gamma-distributed gaps or replayed from a trace and measure
/// TTFT, ITL, TPOT and E2E as vLLM's serving benchmark does, plus goodput under objectives.
public struct ServingPlugin: TrafficPlugin {
    public static let name = "llm-serving"
    public static let summary = "LLM serving: an emulated engine streams tokens (HTTP/SSE or TCP); clients measure TTFT, ITL, TPOT, E2E, goodput."
    public static let parameters = LoadSpec.parameters + EngineSpec.parameters

    let load: LoadSpec
    let engine: EngineSpec

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(atLeast: 2)
        load = try LoadSpec(parameters: parameters)
        engine = try EngineSpec(parameters: parameters)
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await serve(in: context) }
    }

    func serve(in context: PluginContext) async throws {
        let server = context.nodes[context.nodes.count - 1]
        let clients = Array(context.nodes.dropLast())
        let port = context.port()
        let engine = self.engine.makeEngine()
        engine.start()
        defer { engine.stop() }
        let endpoint = try await ServingServer.start(
            on: server.name, port: port, transport: load.transport, model: load.model, congestion: load.congestion, context: context
        ) { request, sink in
            engine.submit(EngineJob(id: request.id, promptTokens: request.promptTokens, outputTokens: request.outputTokens, sink: sink))
        }
        let pools = clients.map {
            ConnectionPool(node: $0.name, address: server.address, port: port, spec: load, context: context)
        }
        do {
            for pool in pools { try await pool.warm(load.connectionsToWarm) }
            let plan = load.plan()
            let records = await withTaskCancellationHandler {
                await LoadGenerator(spec: load, context: context).run(plan, pools: pools) { pools[($0.id - 1) % pools.count] }
            } onCancel: {
                engine.stop()
            }
            try Task.checkCancellation()
            let metrics = ServingMetrics(records: records, objectives: load.objectives)
            ServingReport.write(metrics, records: records, spec: load, context: context)
            try ServingReport.requireCompletions(metrics, records: records)
            self.engine.report(engine, context: context)
            context.metrics.result("connections", Double(pools.map(\.opened).reduce(0, +)), unit: "connections")
        } catch {
            for pool in pools { await pool.closeAll() }
            await endpoint.stop()
            throw error
        }
        for pool in pools { await pool.closeAll() }
        await endpoint.stop()
    }
}
