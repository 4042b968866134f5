import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `bulk`: bulk transfer from the first node to the second over TCP (one or many
/// parallel flows) or UDP at a set rate, like iperf3. Reports throughput each second
/// and on average (headline), bytes, TCP retransmits, UDP loss.
///
/// Throughput is what the receiver got, from its first byte to its last. A TCP flow
/// ends when its receiver has read everything (the sender waits for the receiver to
/// close), so `bytes` mode and retransmit counts are final. UDP datagrams carry a
/// sequence number; loss is datagrams sent minus datagrams received, counted once the
/// receiver has heard nothing for a quiet period after the senders stopped.
public struct BulkPlugin: TrafficPlugin {
    public static let name = "bulk"
    public static let summary = "Bulk transfer between two nodes over TCP (parallel flows) or UDP at a rate, like iperf3."
    public static let parameters = [
        ParameterSpec("protocol", .choice(["tcp", "udp"]), default: "tcp", help: "transport"),
        ParameterSpec("flows", .integer(1...256), default: "1", help: "parallel connections (TCP) or senders (UDP)"),
        ParameterSpec("time", .duration, default: "10s", help: "how long to send (the workload's duration, if shorter, wins)"),
        ParameterSpec("bytes", .size, optional: true, help: "send this much in total instead of for a time"),
        ParameterSpec("message", .size, optional: true, help: "size of each write (TCP; default 128KiB) or datagram payload (UDP; default 1400B)"),
        ParameterSpec("rate", .bitrate, default: "1gbit", help: "UDP sending rate, all senders together"),
        ParameterSpec("reverse", .bool, default: "false", help: "the second node sends to the first"),
    ]

    let udp: Bool
    let flows: Int
    let time: Duration
    let bytes: UInt64?
    let message: Int
    let rate: Bitrate
    let reverse: Bool

    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(exactly: 2)
        udp = parameters.string("protocol") == "udp"
        flows = parameters.int("flows")
        time = parameters.duration("time")
        bytes = parameters.has("bytes") ? parameters.size("bytes").bytes : nil
        message = parameters.has("message") ? Int(parameters.size("message").bytes) : (udp ? 1400 : 128 * 1024)
        rate = parameters.bitrate("rate")
        reverse = parameters.bool("reverse")
        if udp && message > 65_000 { throw parameters.error("a UDP datagram holds at most 65000 bytes", for: "message") }
        if udp && message < 8 { throw parameters.error("a datagram carries an 8-byte sequence number", for: "message", allowed: "at least 8B") }
        if time <= .zero { throw parameters.error("time must be above 0", for: "time") }
    }

    public func run(in context: PluginContext) async throws {
        try await cancellable { try await transfer(in: context) }
    }

    func transfer(in context: PluginContext) async throws {
        let sender = context.nodes[reverse ? 1 : 0]
        let receiver = context.nodes[reverse ? 0 : 1]
        let length = min(time, context.duration ?? time)
        let counters = BulkCounters()
        let port = context.port()
        let listener = try context.socket(udp ? .udp : .tcp, on: receiver.name)
        try listener.bind(port: port)
        if udp {
            // Room for bursts: a datagram the socket has no room for counts as lost.
            listener.setBuffers(receive: 8 << 20)
        } else {
            try listener.listen()
        }

        let receiving = Task { try await receive(on: listener, context: context, counters: counters) }
        let sampling = Task { await sample(context: context, counters: counters) }
        // Whatever happens to the senders, the receiver's threads are released.
        defer {
            listener.shutdownBoth()
            receiving.cancel()
            sampling.cancel()
        }
        // Senders run on threads of their own: cancellation reaches them through this flag (a socket
        // the runner shut down before it connected would otherwise send for the whole window).
        let stopped = StopFlag()
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for flow in 0..<flows {
                    group.addTask {
                        let socket = try context.socket(udp ? .udp : .tcp, on: sender.name)
                        try await send(flow: flow, on: socket, to: receiver.address, port: port,
                                       window: length, stopped: stopped, context: context, counters: counters)
                    }
                }
                try await group.waitForAll()
            }
        } onCancel: {
            stopped.stop()
        }
        // Senders that saw the flag return normally: the run was still interrupted.
        if stopped.isStopped { throw CancellationError() }
        if udp {
            // The last datagrams may still be in flight (delay, queues): stop receiving once
            // nothing has arrived for a while, or after 5 s.
            await waitForQuiet(counters: counters, quiet: .milliseconds(300), limit: .seconds(5))
            listener.shutdownBoth()
        }
        // TCP: every sender returned after its receiver read to the end, so this is prompt.
        try await receiving.value
        report(context: context, counters: counters)
        if !udp && counters.snapshot().receivedBytes == 0 && bytes != 0 {
            throw BulkError("nothing arrived at \(receiver.name) in \(length)")
        }
    }

    /// Returns once no datagram has arrived for `quiet` (or after `limit`).
    func waitForQuiet(counters: BulkCounters, quiet: Duration, limit: Duration) async {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            let last = counters.snapshot().lastByte ?? start
            if ContinuousClock.now - last >= quiet && ContinuousClock.now - start >= quiet { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Sending

    /// Every flow sends for `window` from its own start (as iperf3 times a test): a UDP flow from when
    /// its thread begins, a TCP flow from when it is connected, so a thread started late or a slow
    /// connection setup on a loaded machine shortens nothing.
    func send(flow: Int, on socket: PluginSocket, to address: String, port: UInt16,
              window: Duration, stopped: StopFlag, context: PluginContext, counters: BulkCounters) async throws {
        let perFlowBytes = bytes.map { $0 / UInt64(flows) + (UInt64(flow) < $0 % UInt64(flows) ? 1 : 0) }
        if udp {
            try await context.blocking("bulk-send") {
                try self.sendDatagrams(on: socket, to: address, port: port, window: window, budget: perFlowBytes,
                                       stopped: stopped, counters: counters)
            }
            return
        }
        try await context.blocking("bulk-send") {
            try socket.connect(to: address, port: port)
            if stopped.isStopped { throw CancellationError() }
            let end = ContinuousClock.now + window
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: message, alignment: 64)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0x5A)
            var sent: UInt64 = 0
            while !stopped.isStopped && (perFlowBytes.map({ sent < $0 }) ?? (ContinuousClock.now < end)) {
                let chunk = perFlowBytes.map { Int(min(UInt64(message), $0 - sent)) } ?? message
                let count = try socket.send(UnsafeRawBufferPointer(rebasing: buffer[..<chunk]))
                sent += UInt64(count)
            }
            counters.sent(sent, datagrams: 0)
            socket.shutdownWrite()
            // The receiver closes once it has read everything: then the flow is done and
            // its retransmit count final.
            var byte: UInt8 = 0
            _ = try? withUnsafeMutableBytes(of: &byte) { try socket.receive(into: $0) }
            if let info = socket.tcpInfo() { counters.retransmits(UInt64(info.retransmits)) }
        }
    }

    /// Paced datagrams of `message` bytes (payload), each starting with its sequence
    /// number. The rate counts payload bytes, like iperf3's `-b`.
    func sendDatagrams(on socket: PluginSocket, to address: String, port: UInt16, window: Duration,
                       budget: UInt64?, stopped: StopFlag, counters: BulkCounters) throws {
        let perSecond = Double(rate.bitsPerSecond) / 8 / Double(flows)
        let start = ContinuousClock.now
        let end = start + window
        var buffer = [UInt8](repeating: 0, count: message)
        var sequence: UInt64 = 0
        var sent: UInt64 = 0
        while !stopped.isStopped {
            let now = ContinuousClock.now
            guard budget.map({ sent < $0 }) ?? (now < end) else { break }
            // Pace: never more than 1 ms ahead of rate x elapsed.
            let ahead = Double(sent) / perSecond - seconds(now - start)
            if ahead > 0.001 {
                usleep(UInt32(min(ahead * 1e6, 10_000)))
                continue
            }
            withUnsafeBytes(of: sequence.bigEndian) { buffer.replaceSubrange(0..<8, with: $0) }
            do {
                _ = try buffer.withUnsafeBytes { try socket.send($0, to: address, port: port) }
            } catch let error as SocketError where Self.transient.contains(error.code) {
                // The path is down or full (a timeline took the link down): a UDP sender
                // does not know, so the datagram counts as sent, and lost.
                counters.sendError()
            }
            sequence += 1
            sent += UInt64(message)
        }
        counters.sent(sent, datagrams: sequence)
    }

    /// Errors a UDP send meets while the network is down or congested.
    static let transient: Set<Int32> = [ENETUNREACH, EHOSTUNREACH, ENETDOWN, ENOBUFS, EAGAIN, ECONNREFUSED, EPERM]

    // MARK: - Receiving

    func receive(on listener: PluginSocket, context: PluginContext, counters: BulkCounters) async throws {
        if udp {
            try await context.blocking("bulk-recv") {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
                defer { buffer.deallocate() }
                while true {
                    let count = (try? listener.receive(into: buffer)) ?? 0
                    if count == 0 { return }
                    counters.received(UInt64(count), datagrams: 1)
                }
            }
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<flows {
                let connection = try await context.blocking("bulk-accept") { try listener.accept() }
                context.track(connection)
                group.addTask {
                    try await context.blocking("bulk-recv") {
                        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 64)
                        defer { buffer.deallocate() }
                        while true {
                            let count = try connection.receive(into: buffer)
                            if count == 0 {
                                // Tells the sender everything arrived.
                                connection.shutdownWrite()
                                return
                            }
                            counters.received(UInt64(count), datagrams: 0)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    // MARK: - Measuring

    /// Throughput each second, as the receiver sees it.
    func sample(context: PluginContext, counters: BulkCounters) async {
        var last = counters.snapshot().receivedBytes
        var lastTime = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = ContinuousClock.now
            let bytes = counters.snapshot().receivedBytes
            let megabits = Double(bytes - last) * 8 / 1e6 / seconds(now - lastTime)
            context.metrics.sample("throughput", megabits, unit: "Mbit/s")
            context.metrics.progress("throughput", megabits, unit: "Mbit/s")
            last = bytes
            lastTime = now
        }
    }

    func report(context: PluginContext, counters: BulkCounters) {
        let totals = counters.snapshot()
        let span = totals.firstByte.flatMap { first in totals.lastByte.map { seconds($0 - first) } } ?? 0
        // Bytes over the span from the first read to the last, without the first read's own bytes
        // (they arrived before the span began; counting them overstated short runs).
        let throughput = span > 0 ? Double(totals.receivedBytes - totals.firstReadBytes) * 8 / 1e6 / span : 0
        context.metrics.result("throughput", throughput, unit: "Mbit/s", headline: true)
        context.metrics.result("received", Double(totals.receivedBytes), unit: "bytes")
        context.metrics.result("sent", Double(totals.sentBytes), unit: "bytes")
        context.metrics.add("bytes", Int64(totals.receivedBytes))
        if udp {
            let lost = totals.sentDatagrams > totals.receivedDatagrams ? totals.sentDatagrams - totals.receivedDatagrams : 0
            let loss = totals.sentDatagrams > 0 ? Double(lost) / Double(totals.sentDatagrams) * 100 : 0
            context.metrics.result("loss", loss, unit: "%", headline: true)
            context.metrics.result("datagrams sent", Double(totals.sentDatagrams), unit: "datagrams")
            if totals.sendErrors > 0 { context.metrics.result("datagrams refused locally", Double(totals.sendErrors), unit: "datagrams") }
            context.metrics.result("datagrams received", Double(totals.receivedDatagrams), unit: "datagrams")
        } else {
            context.metrics.result("retransmits", Double(totals.retransmits), unit: "segments", headline: true)
        }
    }
}

/// Shared tallies of one bulk transfer.
final class BulkCounters: Sendable {
    struct Totals: Sendable {
        var sentBytes: UInt64 = 0
        var receivedBytes: UInt64 = 0
        var sentDatagrams: UInt64 = 0
        var receivedDatagrams: UInt64 = 0
        var retransmits: UInt64 = 0
        /// UDP sends refused locally (network down or full).
        var sendErrors: UInt64 = 0
        var firstByte: ContinuousClock.Instant?
        var lastByte: ContinuousClock.Instant?
        /// Bytes of the read that set `firstByte`: they arrived before the span begins.
        var firstReadBytes: UInt64 = 0
    }

    private let totals = Mutex(Totals())

    func sent(_ bytes: UInt64, datagrams: UInt64) {
        totals.withLock {
            $0.sentBytes += bytes
            $0.sentDatagrams += datagrams
        }
    }

    func received(_ bytes: UInt64, datagrams: UInt64) {
        let now = ContinuousClock.now
        totals.withLock {
            $0.receivedBytes += bytes
            $0.receivedDatagrams += datagrams
            if $0.firstByte == nil {
                $0.firstByte = now
                $0.firstReadBytes = bytes
            }
            $0.lastByte = now
        }
    }

    func retransmits(_ count: UInt64) { totals.withLock { $0.retransmits += count } }

    func sendError() { totals.withLock { $0.sendErrors += 1 } }

    func snapshot() -> Totals { totals.withLock { $0 } }
}

/// A bulk transfer that moved nothing: a broken path, not a throughput of zero.
struct BulkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
