import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `flowmix`: a datacenter flow mix. Flows arrive as a Poisson process whose rate puts
/// a target `load` on the bottleneck `rate` (arrivals/s = load x rate / mean flow
/// size), each between a random sender and receiver (seeded), each a new TCP
/// connection carrying a size drawn from a distribution (built-in web-search or
/// data-mining CDFs, or a `size:weight` list). Reports flow completion time (FCT) and
/// slowdown (FCT / ideal FCT) per size bucket: small < 100 KB <= medium <= 10 MB < large.
///
/// A flow's FCT runs from just before its connection is opened to the moment its
/// receiver has read the last byte; its ideal FCT is size x 8 / rate + `base_rtt`.
public struct FlowMixPlugin: TrafficPlugin {
    public static let name = "flowmix"
    public static let summary = "Poisson flow arrivals with web-search, data-mining or listed sizes at a target load: FCT and slowdown per size bucket."
    public static let parameters = [
        ParameterSpec("distribution", .choice(FlowSizeDistribution.builtIn.map(\.name)), optional: true,
                      help: "built-in flow size CDF (default web-search unless `sizes` is given)"),
        ParameterSpec("sizes", .list(.string), optional: true, help: "explicit sizes with weights instead, e.g. [10KB:6, 1MB:3, 20MB:1]"),
        ParameterSpec("load", .number(0.001...1.0), default: "0.5", help: "offered load as a fraction of `rate`"),
        ParameterSpec("rate", .bitrate, optional: true, help: "the bottleneck rate (default: the lowest rate of the links at the workload's nodes)"),
        ParameterSpec("time", .duration, default: "10s", help: "how long flows arrive (the workload's duration, if shorter, wins)"),
        ParameterSpec("drain", .duration, default: "10s", help: "how long flows still running when arrivals stop may take to finish"),
        ParameterSpec("senders", .list(.string), optional: true, help: "nodes that send (default: all the workload's nodes)"),
        ParameterSpec("receivers", .list(.string), optional: true, help: "nodes that receive (default: all the workload's nodes)"),
        ParameterSpec("seed", .integer(0...Int.max), default: "1", help: "seed of sizes, pairs and arrival times"),
        ParameterSpec("max_flows", .integer(1...10_000), default: "500", help: "flows in flight at most; arrivals beyond are skipped and counted"),
        ParameterSpec("base_rtt", .duration, default: "0s", help: "added to each flow's ideal FCT (the path's unloaded RTT, if you want it counted)"),
    ]

    /// Size buckets (bytes): small below 100 KB, large above 10 MB.
    static let smallLimit: UInt64 = 100_000
    static let largeLimit: UInt64 = 10_000_000

    let distribution: FlowSizeDistribution
    let load: Double
    let rate: Bitrate?
    let time: Duration
    let drain: Duration
    let senders: [String]
    let receivers: [String]
    let seed: UInt64
    let maxFlows: Int
    let baseRTT: Duration

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(atLeast: 2)
        if parameters.has("sizes") {
            if parameters.has("distribution") {
                throw parameters.error("give either `distribution` or `sizes`, not both", for: "sizes")
            }
            do {
                distribution = try FlowSizeDistribution.list(parameters.strings("sizes"))
            } catch {
                throw parameters.error(error.message, for: "sizes", allowed: error.allowed)
            }
        } else {
            let name = parameters.optionalString("distribution") ?? FlowSizeDistribution.webSearch.name
            distribution = FlowSizeDistribution.builtIn.first { $0.name == name } ?? .webSearch
        }
        load = parameters.double("load")
        rate = parameters.optionalBitrate("rate")
        time = parameters.duration("time")
        drain = parameters.duration("drain")
        seed = UInt64(parameters.int("seed"))
        maxFlows = parameters.int("max_flows")
        baseRTT = parameters.duration("base_rtt")
        if time <= .zero { throw parameters.error("time must be above 0", for: "time") }
        if rate?.bitsPerSecond == 0 { throw parameters.error("rate must be above 0", for: "rate") }
        for name in ["senders", "receivers"] where parameters.has(name) {
            for node in parameters.strings(name) where !parameters.nodes.contains(node) {
                throw parameters.error("\"\(node)\" is not one of the workload's nodes", for: name,
                                       allowed: parameters.nodes.joined(separator: ", "))
            }
        }
        senders = parameters.has("senders") ? parameters.strings("senders") : parameters.nodes
        receivers = parameters.has("receivers") ? parameters.strings("receivers") : parameters.nodes
        if !senders.contains(where: { sender in receivers.contains { $0 != sender } }) {
            throw parameters.error("no sender has a receiver other than itself", for: parameters.has("receivers") ? "receivers" : "senders")
        }
    }

    public func run(in context: PluginContext) async throws {
        guard let rate = rate ?? Self.bottleneck(of: context.nodes.map(\.name), links: context.links) else {
            throw FlowMixError.noRate
        }
        let port = context.port()
        let flows = FlowTable()
        let perSecond = load * Double(rate.bitsPerSecond) / 8 / distribution.mean

        // A listener on every receiver; each accepted connection is one flow.
        let listeners = try Set(receivers).sorted().map { name in
            let listener = try context.socket(.tcp, on: name)
            try listener.bind(port: port)
            try listener.listen(backlog: 4096)
            return listener
        }
        let receiving = Task {
            await withTaskGroup(of: Void.self) { group in
                for listener in listeners {
                    group.addTask { await self.accept(on: listener, context: context, flows: flows) }
                }
            }
        }
        let sampling = Task { await sample(context: context, flows: flows) }
        defer {
            sampling.cancel()
            receiving.cancel()
        }

        let start = ContinuousClock.now
        let arrivalsEnd = start + min(time, context.duration ?? time)
        // (flows that arrive are offered; the sum of their sizes is the load actually drawn)
        var random = SeededRandom(seed: seed)
        context.metrics.result("offered load", load * 100, unit: "%")
        context.metrics.result("arrival rate", perSecond, unit: "flows/s")
        context.metrics.result("mean flow size", distribution.mean, unit: "bytes")
        context.metrics.result("rate", Double(rate.bitsPerSecond) / 1e6, unit: "Mbit/s")

        let window = min(time, context.duration ?? time)
        await withDiscardingTaskGroup { group in
            var next = start
            var id: UInt64 = 0
            while !Task.isCancelled {
                next = next + .seconds(random.exponential(mean: 1 / perSecond))
                guard next < arrivalsEnd else { break }
                let size = distribution.size(at: random.unit())
                let sender = senders[Int(random.next() % UInt64(senders.count))]
                let choices = receivers.filter { $0 != sender }
                if choices.isEmpty { continue }
                let receiver = choices[Int(random.next() % UInt64(choices.count))]
                try? await Task.sleep(until: next, clock: .continuous)
                id += 1
                guard flows.inFlight < maxFlows else {
                    flows.skip()
                    continue
                }
                guard let address = context.node(receiver)?.address else { continue }
                let flow = Flow(id: id, sender: sender, receiver: receiver, bytes: size)
                flows.arrive()
                group.addTask {
                    do {
                        let socket = try context.socket(.tcp, on: sender)
                        try await context.blocking("flowmix-send") {
                            try self.send(flow, on: socket, to: address, port: port, flows: flows)
                        }
                    } catch {
                        flows.fail(flow, error: "\(error)")
                    }
                }
            }
            // Flows still running get `drain` to finish (but not past the workload's deadline).
            var drainEnd = ContinuousClock.now + drain
            if let deadline = context.deadline { drainEnd = min(drainEnd, deadline) }
            while flows.inFlight > 0 && ContinuousClock.now < drainEnd && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
            }
            // Cut whatever is left: every blocked sender and receiver returns.
            flows.cut()
            context.shutdownSockets()
            // The group waits for every flow before it returns.
        }
        for listener in listeners { listener.shutdownBoth() }
        await receiving.value
        report(context: context, flows: flows, rate: rate, window: window, span: ContinuousClock.now - start)
        try Task.checkCancellation()
    }

    // MARK: - Flows

    /// The sender's side of a flow: a 16-byte header (flow id, size), the bytes, then
    /// wait for the receiver to close.
    func send(_ flow: Flow, on socket: PluginSocket, to address: String, port: UInt16, flows: FlowTable) throws {
        flows.start(flow)
        try socket.connect(to: address, port: port)
        var header = (flow.id.bigEndian, flow.bytes.bigEndian)
        try withUnsafeBytes(of: &header) { try socket.sendAll($0) }
        let chunk = Int(min(flow.bytes, 128 * 1024))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0x46)
        var left = flow.bytes
        while left > 0 {
            let count = try socket.send(UnsafeRawBufferPointer(rebasing: buffer[..<Int(min(UInt64(chunk), left))]))
            left -= UInt64(count)
        }
        socket.shutdownWrite()
        // The receiver closes after it has read (and timed) the last byte.
        var byte: UInt8 = 0
        _ = try withUnsafeMutableBytes(of: &byte) { try socket.receive(into: $0) }
        guard flows.isComplete(flow.id) else { throw FlowMixError.closedEarly }
    }

    /// Accepts flows on one receiver until the listener is shut down.
    func accept(on listener: PluginSocket, context: PluginContext, flows: FlowTable) async {
        await withDiscardingTaskGroup { group in
            while let connection = try? await context.blocking("flowmix-accept", { try listener.accept() }) {
                context.track(connection)
                group.addTask {
                    _ = try? await context.blocking("flowmix-receive") {
                        try self.receive(on: connection, context: context, flows: flows)
                    }
                }
            }
        }
    }

    /// The receiver's side of a flow: reads the header and then every byte; the flow
    /// completes at its last byte.
    func receive(on connection: PluginSocket, context: PluginContext, flows: FlowTable) throws {
        defer { connection.shutdownWrite() }
        var header: (UInt64, UInt64) = (0, 0)
        guard try withUnsafeMutableBytes(of: &header, { try connection.receiveExactly(into: $0) }) else { return }
        let id = UInt64(bigEndian: header.0)
        var left = UInt64(bigEndian: header.1)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 64)
        defer { buffer.deallocate() }
        while left > 0 {
            let count = try connection.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(UInt64(buffer.count), left))]))
            if count == 0 { return }
            left -= UInt64(count)
            flows.delivered(count)
        }
        if let done = flows.complete(id), let fct = done.fct {
            context.metrics.record("fct \(Self.bucket(of: done.bytes))", microseconds(fct), unit: "us")
        }
    }

    // MARK: - Measuring

    /// Goodput (bytes read by receivers) and flows in flight, each second.
    func sample(context: PluginContext, flows: FlowTable) async {
        var last = flows.deliveredBytes
        var lastTime = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = ContinuousClock.now
            let bytes = flows.deliveredBytes
            let goodput = Double(bytes - last) * 8 / 1e6 / seconds(now - lastTime)
            context.metrics.sample("goodput", goodput, unit: "Mbit/s")
            context.metrics.sample("flows in flight", Double(flows.inFlight), unit: "flows")
            context.metrics.progress("goodput", goodput, unit: "Mbit/s")
            last = bytes
            lastTime = now
        }
    }

    /// `window`: how long flows arrived; `span`: the whole run, drain included.
    func report(context: PluginContext, flows: FlowTable, rate: Bitrate, window: Duration, span: Duration) {
        let all = flows.all()
        let done = all.filter { $0.fct != nil }
        let unfinished = all.filter(\.unfinished)
        let failed = all.filter { $0.error != nil }
        let bitsPerSecond = Double(rate.bitsPerSecond)
        func ideal(_ flow: Flow) -> Double { Double(flow.bytes) * 8 / bitsPerSecond + seconds(baseRTT) }

        context.metrics.add("bytes", Int64(flows.deliveredBytes))
        context.metrics.result("flows", Double(done.count), unit: "flows", headline: true)
        context.metrics.result("flows unfinished", Double(unfinished.count), unit: "flows")
        context.metrics.result("flows failed", Double(failed.count), unit: "flows")
        context.metrics.result("flows skipped", Double(flows.skipped), unit: "flows")
        let drawn = all.reduce(0.0) { $0 + Double($1.bytes) }
        context.metrics.result("offered load drawn", drawn * 8 / seconds(window) / bitsPerSecond * 100, unit: "%")
        context.metrics.result("carried load", Double(flows.deliveredBytes) * 8 / seconds(span) / bitsPerSecond * 100, unit: "%")

        var rows: [[String]] = []
        for bucket in ["small", "medium", "large"] {
            let members = done.filter { Self.bucket(of: $0.bytes) == bucket }
            let fct = members.map { seconds($0.fct!) * 1e3 }.sorted()
            let slowdown = members.map { seconds($0.fct!) / ideal($0) }.sorted()
            context.metrics.result("\(bucket) flows", Double(members.count), unit: "flows")
            guard !members.isEmpty else {
                rows.append([bucket, "0", "", "", "", "", "", ""])
                continue
            }
            let figures = [
                ("fct mean", mean(fct), "ms"), ("fct p50", percentile(fct, 50), "ms"), ("fct p99", percentile(fct, 99), "ms"),
                ("slowdown mean", mean(slowdown), "x"), ("slowdown p50", percentile(slowdown, 50), "x"),
                ("slowdown p99", percentile(slowdown, 99), "x"),
            ]
            for (name, value, unit) in figures {
                context.metrics.result("\(bucket) \(name)", value, unit: unit, headline: bucket == "small" && name == "fct p99")
            }
            rows.append([bucket, "\(members.count)"] + figures.map { String(format: "%.3f", $0.1) })
        }
        let slowdowns = done.map { seconds($0.fct!) / ideal($0) }.sorted()
        if !slowdowns.isEmpty {
            context.metrics.result("slowdown mean", mean(slowdowns), unit: "x", headline: true)
            context.metrics.result("slowdown p99", percentile(slowdowns, 99), unit: "x")
        }
        context.metrics.table(
            "buckets",
            columns: ["bucket", "flows", "fct_mean_ms", "fct_p50_ms", "fct_p99_ms", "slowdown_mean", "slowdown_p50", "slowdown_p99"],
            rows: rows)
        context.metrics.table(
            "flows", columns: ["id", "sender", "receiver", "bytes", "start_s", "fct_ms", "slowdown", "error"],
            rows: all.map { flow in
                [
                    "\(flow.id)", flow.sender, flow.receiver, "\(flow.bytes)",
                    flow.started.map { String(format: "%.6f", seconds($0 - context.startTime)) } ?? "",
                    flow.fct.map { String(format: "%.3f", seconds($0) * 1e3) } ?? "",
                    flow.fct.map { String(format: "%.3f", seconds($0) / ideal(flow)) } ?? "",
                    flow.error ?? (flow.unfinished ? "unfinished" : ""),
                ]
            })
        if let first = failed.first?.error {
            context.logger.warning("flows failed", metadata: ["count": "\(failed.count)", "first": "\(first)"])
        }
    }

    static func bucket(of bytes: UInt64) -> String {
        bytes < smallLimit ? "small" : (bytes > largeLimit ? "large" : "medium")
    }

    /// The lowest rate of any link direction at one of `nodes`.
    static func bottleneck(of nodes: [String], links: [PluginLink]) -> Bitrate? {
        links.filter { nodes.contains($0.a) || nodes.contains($0.b) }
            .flatMap { [$0.aToB.rate, $0.bToA.rate] }
            .compactMap { $0 }
            .min()
    }
}

enum FlowMixError: Error, CustomStringConvertible {
    case noRate
    case closedEarly

    var description: String {
        switch self {
        case .noRate: "flowmix: no link at the workload's nodes has a rate; give the bottleneck as the `rate` parameter"
        case .closedEarly: "the receiver closed the connection before the last byte"
        }
    }
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

/// Nearest-rank percentile of sorted values.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}
