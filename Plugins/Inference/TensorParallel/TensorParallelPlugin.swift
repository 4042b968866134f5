import NetLoomModel
import NetLoomPluginAPI
import TrainingPlugins

/// `llm-tp`: one LLM server whose model is split over several nodes with tensor
/// parallelism. The first shard serves the clients (HTTP/SSE or TCP) and schedules
/// (continuous batching); every engine step runs on all shards, each layer followed by
/// two ring all-reduces of tokens x hidden x bytes per element between the shards (the
/// training plugins' ring, moving bf16 bytes without the arithmetic).
/// Reports the serving metrics and the all-reduces' count, bytes and share of step time.
public struct TensorParallelPlugin: TrafficPlugin {
    public static let name = "llm-tp"
    public static let summary = "Tensor-parallel LLM serving across nodes: 2 ring all-reduces per layer per step between the shards; serving metrics."
    public static let parameters = [
        ParameterSpec("shards", .list(.string), help: "the server's shards in ring order (the first serves the clients); the other nodes are clients"),
    ] + ModelShape.parameters + LoadSpec.parameters + EngineSpec.parameters

    let shards: [String]
    let clients: [String]
    let shape: ModelShape
    let load: LoadSpec
    let engine: EngineSpec

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(atLeast: 2)
        let shards = try roleNodes("shards", in: parameters)
        self.shards = shards
        clients = parameters.nodes.filter { !shards.contains($0) }
        if clients.isEmpty { throw parameters.error("no client: every node is a shard", allowed: "add a client node to `nodes`") }
        shape = ModelShape(parameters: parameters)
        load = try LoadSpec(parameters: parameters)
        engine = try EngineSpec(parameters: parameters)
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await serve(in: context) }
    }

    func serve(in context: PluginContext) async throws {
        let port = context.port()
        let ringPort = context.port(2)
        let controlPort = context.port(3)
        let n = shards.count
        let tasks = Locked<[Task<Void, any Error>]>([])
        let stop = StopFlag()
        let followerFailure = Locked<String?>(nil)
        var senders: [SocketSender] = []
        var listeners: [PluginSocket] = []
        var server: ServingServer?
        var pools: [ConnectionPool] = []
        var leadEngine: ServingEngine?
        func shutdown() async {
            for pool in pools { await pool.closeAll() }
            await server?.stop()
            leadEngine?.stop()
            stop.stop()
            for sender in senders { sender.finish() }
            for listener in listeners { listener.shutdownBoth() }
            context.shutdownSockets()
            for task in tasks.value { _ = await task.result }
        }

        do {
            // The shards' all-reduces run on the training plugins' collectives (ring, over a mesh of
            // connections between the shards); followers also listen for shard 0's control.
            let ranks = shards.map { name in context.nodes.firstIndex { $0.name == name }! }
            let shardGroup = CommunicatorSpec(id: 0, members: ranks)
            let mesh = try await Mesh.connect(n > 1 ? [shardGroup] : [], context: context, port: ringPort)
            if let congestion = load.congestion { for socket in mesh.all { try socket.setCongestionControl(congestion) } }
            let communicators = RankCommunicator.members(of: shardGroup, mesh: mesh, dataType: .bfloat16, stop: stop)
            var controlListeners: [PluginSocket] = []
            for name in shards.dropFirst() {
                let control = try context.socket(.tcp, on: name)
                try control.bind(port: controlPort)
                try control.listen()
                controlListeners.append(control)
            }
            listeners = controlListeners
            // Control: shard 0 to every follower.
            var followers: [SocketSender] = []
            var controls: [PluginSocket] = []
            for rank in 1..<max(n, 1) where n > 1 {
                let socket = try context.socket(.tcp, on: shards[0])
                let address = context.node(shards[rank])?.address ?? ""
                try await context.blocking("llm-tp-connect") { try socket.connect(to: address, port: controlPort) }
                socket.setNoDelay()
                followers.append(SocketSender(socket: socket, name: "llm-tp-control"))
                let listener = controlListeners[rank - 1]
                let accepted = try await context.blocking("llm-tp-accept") { try listener.accept() }
                context.track(accepted)
                controls.append(accepted)
            }
            senders += followers
            let runners = (0..<n).map { rank in
                ShardRunner(communicator: communicators[rank], shape: shape, timing: engine.timing, followers: rank == 0 ? followers : [])
            }
            for rank in 1..<max(n, 1) where n > 1 {
                let runner = runners[rank]
                let control = controls[rank - 1]
                tasks.withLock {
                    $0.append(Task {
                        do {
                            try await context.blocking("llm-tp-shard") { try runner.follow(control) }
                        } catch {
                            // The other shards would wait for this one's all-reduces: stop them, keep the cause.
                            followerFailure.withLock { $0 = $0 ?? "shard \(rank): \(error)" }
                            stop.stop()
                            throw error
                        }
                    })
                }
            }
            let lead = runners[0]
            let serving = ServingEngine(maxBatch: engine.maxBatch, maxBatchTokens: engine.maxBatchTokens,
                                        tokensPerChunk: engine.tokensPerChunk) { step in lead.lead(step) }
            serving.start()
            leadEngine = serving
            let front = shards[0]
            server = try await ServingServer.start(on: front, port: port, transport: load.transport, model: shape.name, congestion: load.congestion, context: context) {
                request, sink in
                serving.submit(EngineJob(id: request.id, promptTokens: request.promptTokens, outputTokens: request.outputTokens, sink: sink))
            }
            pools = clients.map {
                ConnectionPool(node: $0, address: context.node(front)?.address ?? "", port: port, spec: load, context: context)
            }
            for pool in pools { try await pool.warm(load.connectionsToWarm) }
            var spec = load
            spec.model = shape.name
            let routes = pools
            let records = await withTaskCancellationHandler {
                await LoadGenerator(spec: spec, context: context).run(spec.plan(), pools: routes) { routes[($0.id - 1) % routes.count] }
            } onCancel: {
                serving.stop()
            }
            try Task.checkCancellation()
            if let failure = followerFailure.value ?? lead.failure.value { throw WireError("tensor-parallel step failed: \(failure)") }
            let metrics = ServingMetrics(records: records, objectives: load.objectives)
            ServingReport.write(metrics, records: records, spec: load, context: context)
            report(lead.stats.value, context: context)
            engine.report(serving, context: context)
            try ServingReport.requireCompletions(metrics, records: records)
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
    }

    func report(_ stats: ShardRunner.AllReduceStats, context: PluginContext) {
        let sink = context.metrics
        sink.result("tp degree", Double(shards.count), unit: "shards")
        sink.result("allreduces", Double(stats.count), unit: "operations")
        sink.add("allreduce bytes", Int64(stats.bytes))
        if stats.count > 0 {
            sink.result("allreduce mean size", Double(stats.bytes) / Double(stats.count), unit: "B")
            sink.result("allreduce mean time", seconds(stats.time) / Double(stats.count) * 1e6, unit: "us", headline: true)
        }
        if stats.stepTime > .zero {
            sink.result("allreduce share of step time", 100 * seconds(stats.time) / seconds(stats.stepTime), unit: "%", headline: true)
            sink.result("mean step time", seconds(stats.stepTime) / Double(max(1, stats.steps)) * 1e3, unit: "ms")
        }
    }
}
