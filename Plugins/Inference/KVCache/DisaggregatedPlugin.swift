import NetLoomModel
import NetLoomPluginAPI

/// `llm-disagg`: prefill/decode disaggregation (Splitwise, DistServe, vLLM's disaggregated
/// prefill). Clients stream from decode nodes; a decode node sends the prompt to a prefill
/// node, which prefills it and sends back the KV cache (2 x layers x kv_heads x head_dim x
/// bytes per element x prompt tokens), in one transfer or layer by layer overlapping the
/// prefill; the decode node then decodes. Reports the serving metrics and each request's
/// KV transfer time and its share of TTFT.
public struct DisaggregatedPlugin: TrafficPlugin {
    public static let name = "llm-disagg"
    public static let summary = "Prefill/decode disaggregation: prompts prefilled on prefill nodes, KV caches sent to decode nodes; serving metrics and KV transfer time."
    public static let parameters = [
        ParameterSpec("prefill", .list(.string), help: "the prefill nodes"),
        ParameterSpec("decode", .list(.string), help: "the decode nodes (clients stream from them); the other nodes are clients"),
        ParameterSpec("kv_transfer", .choice(["whole", "layers"]), default: "whole",
                      help: "whole: one transfer after the prefill; layers: each layer's KV as soon as its prefill share is done"),
    ] + ModelShape.parameters + LoadSpec.parameters + EngineSpec.parameters

    let prefill: [String]
    let decode: [String]
    let clients: [String]
    let layerwise: Bool
    let shape: ModelShape
    let load: LoadSpec
    let engine: EngineSpec

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(atLeast: 3)
        let prefill = try roleNodes("prefill", in: parameters)
        let decode = try roleNodes("decode", in: parameters)
        if !Set(prefill).isDisjoint(with: decode) {
            throw parameters.error("a node cannot both prefill and decode", for: "decode")
        }
        self.prefill = prefill
        self.decode = decode
        clients = parameters.nodes.filter { !prefill.contains($0) && !decode.contains($0) }
        if clients.isEmpty { throw parameters.error("no client: every node prefills or decodes", allowed: "add a client node to `nodes`") }
        layerwise = parameters.string("kv_transfer") == "layers"
        shape = ModelShape(parameters: parameters)
        load = try LoadSpec(parameters: parameters)
        engine = try EngineSpec(parameters: parameters)
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await serve(in: context) }
    }

    func serve(in context: PluginContext) async throws {
        let port = context.port()
        let kvPort = context.port(1)
        let ledger = KVLedger()
        let tasks = Locked<[Task<Void, any Error>]>([])
        let senders = Locked<[SocketSender]>([])
        var servers: [ServingServer] = []
        var pools: [[ConnectionPool]] = []
        var fronts: [DecodeFront] = []
        var prefillNodes: [PrefillNode] = []
        var listeners: [PluginSocket] = []
        func shutdown() async {
            for pool in pools.joined() { await pool.closeAll() }
            for server in servers { await server.stop() }
            for front in fronts {
                front.engine.stop()
                front.failWaiting()
            }
            for node in prefillNodes { node.stop() }
            for sender in senders.value { sender.finish() }
            for listener in listeners { listener.shutdownBoth() }
            context.shutdownSockets()
            for task in tasks.value { _ = await task.result }
        }

        do {
            // Prefill nodes: each accepts one connection from every decode node and serves it.
            for name in prefill {
                let node = PrefillNode(timing: engine.timing, shape: shape, layerwise: layerwise, ledger: ledger, name: "llm-prefill")
                prefillNodes.append(node)
                let listener = try context.socket(.tcp, on: name)
                try listener.bind(port: kvPort)
                if let congestion = load.congestion { try listener.setCongestionControl(congestion) }
                try listener.listen()
                listeners.append(listener)
                let decodeCount = decode.count
                let accepting = Task {
                    for _ in 0..<decodeCount {
                        let connection = try await context.blocking("llm-kv-accept") { try listener.accept() }
                        context.track(connection)
                        connection.setNoDelay()
                        let reply = SocketSender(socket: connection, name: "llm-kv-send")
                        senders.withLock { $0.append(reply) }
                        let serving = Task { try await context.blocking("llm-prefill-recv") { try node.serve(connection, reply: reply) } }
                        tasks.withLock { $0.append(serving) }
                    }
                }
                tasks.withLock { $0.append(accepting) }
            }
            // Decode nodes: an engine, a connection to every prefill node, the client-facing server.
            for name in decode {
                let decodeEngine = engine.makeEngine()
                decodeEngine.start()
                let front = DecodeFront(engine: decodeEngine, ledger: ledger)
                fronts.append(front)
                for target in prefill {
                    let socket = try context.socket(.tcp, on: name)
                    let address = context.node(target)?.address ?? ""
                    try await context.blocking("llm-kv-connect") { try socket.connect(to: address, port: kvPort) }
                    socket.setNoDelay()
                    if let congestion = load.congestion { try socket.setCongestionControl(congestion) }
                    let sender = SocketSender(socket: socket, name: "llm-job-send")
                    senders.withLock { $0.append(sender) }
                    front.prefill.withLock { $0.append(sender) }
                    let receiving = Task { try await context.blocking("llm-kv-recv") { try front.receive(from: socket) } }
                    tasks.withLock { $0.append(receiving) }
                }
                servers.append(try await ServingServer.start(
                    on: name, port: port, transport: load.transport, model: shape.name, congestion: load.congestion, context: context
                ) { request, sink in front.dispatch(request, sink: sink) })
            }
            for client in clients {
                pools.append(decode.map { target in
                    ConnectionPool(node: client, address: context.node(target)?.address ?? "", port: port, spec: load,
                                   context: context)
                })
            }
            for pool in pools.joined() { try await pool.warm(load.connectionsToWarm) }
            let plan = load.plan()
            let routes = pools
            let decodeCount = decode.count
            let clientCount = clients.count
            var spec = load
            spec.model = shape.name
            let engines = fronts.map(\.engine)
            let records = await withTaskCancellationHandler {
                await LoadGenerator(spec: spec, context: context).run(plan, pools: Array(routes.joined())) { request in
                    routes[((request.id - 1) / decodeCount) % clientCount][(request.id - 1) % decodeCount]
                }
            } onCancel: {
                for engine in engines { engine.stop() }
            }
            try Task.checkCancellation()
            let annotated = ledger.annotate(records)
            let metrics = ServingMetrics(records: annotated, objectives: load.objectives)
            ServingReport.write(metrics, records: annotated, spec: load, context: context)
            report(records: annotated, prefillNodes: prefillNodes, fronts: fronts, context: context)
            try ServingReport.requireCompletions(metrics, records: annotated)
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    func report(records: [RequestRecord], prefillNodes: [PrefillNode], fronts: [DecodeFront], context: PluginContext) {
        let sink = context.metrics
        sink.result("kv bytes per token", Double(shape.kvBytesPerToken), unit: "B")
        let sizes = records.compactMap(\.kvBytes)
        if !sizes.isEmpty {
            sink.result("kv bytes per request", Double(sizes.reduce(0, +)) / Double(sizes.count), unit: "B")
            sink.add("kv bytes", Int64(sizes.reduce(0, +)))
        }
        let rates = records.compactMap { record in record.kvTransfer.flatMap { time in record.kvBytes.map { Double($0) * 8 / time / 1e9 } } }
        if let rate = Statistics(rates) { sink.result("kv transfer rate median", rate.median, unit: "Gbit/s") }
        if let first = fronts.first { engine.report(first.engine, context: context, prefix: "decode ") }
        let busy = prefillNodes.map { seconds($0.busyTime) }.reduce(0, +)
        sink.result("prefill busy", busy, unit: "s")
    }
}
