import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `rr`: request/response transactions over TCP between two nodes, like netperf's
/// TCP_RR. The first node (client) sends `request` bytes, the second (server) answers
/// with `response` bytes, and the client sends the next request when the whole
/// response has arrived; `connections` connections run side by side, each with one
/// transaction in flight. Latency is one transaction, from the request's first write
/// to the response's last byte read (an RTT plus the stacks' and the plugin's costs).
public struct RequestResponsePlugin: TrafficPlugin {
    public static let name = "rr"
    public static let summary = "Request/response transactions over TCP, like netperf TCP_RR: latency percentiles and transactions/s."
    public static let parameters = [
        ParameterSpec("request", .size, default: "1B", help: "bytes the client sends per transaction"),
        ParameterSpec("response", .size, default: "1B", help: "bytes the server answers with"),
        ParameterSpec("connections", .integer(1...1024), default: "1", help: "connections side by side, one transaction in flight on each"),
        ParameterSpec("time", .duration, default: "10s", help: "how long to run (the workload's duration, if shorter, wins)"),
        ParameterSpec("transactions", .integer(1...1_000_000_000), optional: true, help: "stop after this many transactions in total instead"),
        ParameterSpec("nodelay", .bool, default: "true", help: "TCP_NODELAY on both ends (send small messages at once)"),
    ]

    /// Largest request or response (each connection holds one of each in memory).
    static let largest: UInt64 = 64 << 20

    let request: Int
    let response: Int
    let connections: Int
    let time: Duration
    let transactions: Int?
    let nodelay: Bool

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(exactly: 2)
        for name in ["request", "response"] {
            let size = parameters.size(name).bytes
            if size == 0 { throw parameters.error("\(name) must be at least 1 byte", for: name) }
            if size > Self.largest { throw parameters.error("\(name) is above 64MiB", for: name, allowed: "1B to 64MiB") }
        }
        request = Int(parameters.size("request").bytes)
        response = Int(parameters.size("response").bytes)
        connections = parameters.int("connections")
        time = parameters.duration("time")
        transactions = parameters.has("transactions") ? parameters.int("transactions") : nil
        nodelay = parameters.bool("nodelay")
        if time <= .zero { throw parameters.error("time must be above 0", for: "time") }
        if let transactions, transactions < connections {
            throw parameters.error("fewer transactions than connections", for: "transactions", allowed: "at least \(connections)")
        }
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await exchange(in: context) }
    }

    func exchange(in context: PluginContext) async throws {
        let client = context.nodes[0]
        let server = context.nodes[1]
        let port = context.port()
        let tally = TransactionTally()
        let listener = try context.socket(.tcp, on: server.name)
        try listener.bind(port: port)
        try listener.listen()

        let serving = Task { try await serve(on: listener, context: context) }
        let sampling = Task { await sample(context: context, tally: tally) }
        defer {
            listener.shutdownBoth()
            serving.cancel()
            sampling.cancel()
        }
        let end = ContinuousClock.now + min(time, context.duration ?? time)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<connections {
                let budget = transactions.map { $0 / connections + (index < $0 % connections ? 1 : 0) }
                group.addTask {
                    let socket = try context.socket(.tcp, on: client.name)
                    try await context.blocking("rr-client") {
                        try self.transact(on: socket, to: server.address, port: port, until: end, budget: budget,
                                          metrics: context.metrics, tally: tally)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await serving.value
        report(context: context, tally: tally)
    }

    /// One connection's transactions, one after another.
    func transact(on socket: PluginSocket, to address: String, port: UInt16, until end: ContinuousClock.Instant, budget: Int?,
                  metrics: Metrics, tally: TransactionTally) throws {
        try socket.connect(to: address, port: port)
        socket.setNoDelay(nodelay)
        let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: request, alignment: 64)
        let incoming = UnsafeMutableRawBufferPointer.allocate(byteCount: response, alignment: 64)
        defer {
            outgoing.deallocate()
            incoming.deallocate()
        }
        outgoing.initializeMemory(as: UInt8.self, repeating: 0x52)
        var done = 0
        while budget.map({ done < $0 }) ?? true {
            // Timed from here: recording the previous transaction is outside its successor.
            let start = ContinuousClock.now
            guard start < end else { break }
            try socket.sendAll(UnsafeRawBufferPointer(outgoing))
            guard try socket.receiveExactly(into: incoming) else {
                throw SocketError(operation: "receive a response (the server closed the connection)", code: ECONNRESET)
            }
            let now = ContinuousClock.now
            let latency = now - start
            metrics.record("latency", microseconds(latency), unit: "us")
            tally.add(latency, at: now)
            done += 1
        }
        // The server reads end of file and closes its side.
        socket.shutdownWrite()
    }

    /// Accepts the client's connections and answers every request on each.
    func serve(on listener: PluginSocket, context: PluginContext) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                let connection = try await context.blocking("rr-accept") { try listener.accept() }
                context.track(connection)
                connection.setNoDelay(nodelay)
                group.addTask {
                    try await context.blocking("rr-server") {
                        let incoming = UnsafeMutableRawBufferPointer.allocate(byteCount: request, alignment: 64)
                        let outgoing = UnsafeMutableRawBufferPointer.allocate(byteCount: response, alignment: 64)
                        defer {
                            incoming.deallocate()
                            outgoing.deallocate()
                        }
                        outgoing.initializeMemory(as: UInt8.self, repeating: 0x41)
                        while try connection.receiveExactly(into: incoming) {
                            try connection.sendAll(UnsafeRawBufferPointer(outgoing))
                        }
                        connection.shutdownWrite()
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Transactions each second.
    func sample(context: PluginContext, tally: TransactionTally) async {
        var last = tally.snapshot().count
        var lastTime = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = ContinuousClock.now
            let count = tally.snapshot().count
            let rate = Double(count - last) / seconds(now - lastTime)
            context.metrics.sample("transactions", rate, unit: "transactions/s")
            context.metrics.progress("transactions", rate, unit: "transactions/s")
            last = count
            lastTime = now
        }
    }

    func report(context: PluginContext, tally: TransactionTally) {
        let totals = tally.snapshot()
        let span = totals.first.flatMap { first in totals.last.map { seconds($0 - first) } } ?? 0
        context.metrics.add("transactions", Int64(totals.count))
        context.metrics.result("transactions", Double(totals.count), unit: "transactions")
        context.metrics.result("transactions/s", span > 0 ? Double(totals.count) / span : 0, unit: "transactions/s", headline: true)
        guard totals.count > 0, let latency = context.metrics.snapshot().histograms["latency"] else { return }
        // The mean from the exact durations; percentiles from the histogram (1 us steps).
        context.metrics.result("latency mean", totals.totalMicroseconds / Double(totals.count), unit: "us")
        context.metrics.result("latency p50", latency.percentile(50), unit: "us", headline: true)
        context.metrics.result("latency p90", latency.percentile(90), unit: "us")
        context.metrics.result("latency p99", latency.percentile(99), unit: "us", headline: true)
        context.metrics.result("latency p99.9", latency.percentile(99.9), unit: "us")
        context.metrics.result("latency max", latency.max, unit: "us")
    }
}

/// Transactions counted by every connection.
final class TransactionTally: Sendable {
    struct Totals: Sendable {
        var count = 0
        var totalMicroseconds = 0.0
        /// When the first transaction started and the last one ended.
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
    }

    private let totals = Mutex(Totals())

    func add(_ latency: Duration, at end: ContinuousClock.Instant) {
        totals.withLock {
            $0.count += 1
            $0.totalMicroseconds += microseconds(latency)
            let start = end - latency
            if $0.first.map({ start < $0 }) ?? true { $0.first = start }
            if $0.last.map({ end > $0 }) ?? true { $0.last = end }
        }
    }

    func snapshot() -> Totals { totals.withLock { $0 } }
}
