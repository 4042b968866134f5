import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// `pingpong`: the worked example of docs/plugins.md. The first node sends `count` UDP
/// datagrams of `size` bytes to the second, one every `interval`; the second echoes
/// each back; the first records each round trip in an HdrHistogram. A datagram whose
/// echo does not come back within `timeout` counts as lost.
public struct PingPongPlugin: TrafficPlugin {
    public static let name = "pingpong"
    public static let summary = "UDP echo between two nodes: round-trip time histogram and loss (the plugin guide's example)."
    public static let parameters = [
        ParameterSpec("count", .integer(1...10_000_000), default: "100", help: "round trips"),
        ParameterSpec("interval", .duration, default: "10ms", help: "time between sends"),
        ParameterSpec("size", .size, default: "64B", help: "datagram payload (at least 8 bytes: a sequence number)"),
        ParameterSpec("timeout", .duration, default: "1s", help: "an echo later than this counts as lost"),
    ]

    let count: Int
    let interval: Duration
    let size: Int
    let timeout: Duration

    /// Checks what the schema cannot; `PluginParameters.error` points at the value in the lab file.
    public init(parameters: PluginParameters) throws(LabError) {
        try parameters.requireNodes(exactly: 2)
        count = parameters.int("count")
        interval = parameters.duration("interval")
        timeout = parameters.duration("timeout")
        let size = parameters.size("size").bytes
        guard (8...65_000).contains(size) else {
            throw parameters.error("size must be 8B to 65000B", for: "size", allowed: "8B to 65000B")
        }
        self.size = Int(size)
        if timeout <= .zero { throw parameters.error("timeout must be above 0", for: "timeout") }
    }

    public func run(in context: PluginContext) async throws {
        let pinger = context.nodes[0]
        let echoer = context.nodes[1]
        let port = context.port()

        // Sockets come from the context, already inside their node's network namespace.
        let server = try context.socket(.udp, on: echoer.name)
        try server.bind(port: port)
        let client = try context.socket(.udp, on: pinger.name)
        try client.bind(port: port + 1)
        client.setReceiveTimeout(timeout)

        // Socket calls block: run them on threads of their own with `context.blocking`.
        let echoing = Task {
            try await context.blocking("pingpong-echo") { try Self.echo(on: server) }
        }
        defer {
            // Unblocks the echo thread's receive, whatever way run ends.
            server.shutdownBoth()
            echoing.cancel()
        }
        let lost = try await context.blocking("pingpong-ping") {
            try self.ping(on: client, to: echoer.address, port: port, context: context)
        }

        // Final figures: headline ones go into summary.json and the suite tables.
        context.metrics.result("sent", Double(count), unit: "datagrams")
        context.metrics.result("lost", Double(lost), unit: "datagrams", headline: true)
        if let rtt = context.metrics.snapshot().histograms["rtt"] {
            context.metrics.result("rtt p50", rtt.percentile(50) / 1e3, unit: "ms", headline: true)
            context.metrics.result("rtt p99", rtt.percentile(99) / 1e3, unit: "ms")
        }
    }

    /// The echo side: sends every datagram back to where it came from.
    static func echo(on socket: PluginSocket) throws {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let received = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket.descriptor, bytes.baseAddress, bytes.count, 0, $0, &length) }
                }
            }
            // 0 or an error: the socket was shut down (the run is over).
            guard received > 0 else { return }
            _ = buffer.withUnsafeBytes { bytes in
                withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket.descriptor, bytes.baseAddress, received, 0, $0, length) }
                }
            }
        }
    }

    /// The ping side: one datagram per interval, waits for its echo; returns how many were lost.
    func ping(on socket: PluginSocket, to address: String, port: UInt16, context: PluginContext) throws -> Int {
        var outgoing = [UInt8](repeating: 0x50, count: size)
        var incoming = [UInt8](repeating: 0, count: 65_536)
        var lost = 0
        var next = ContinuousClock.now
        for sequence in 0..<UInt64(count) {
            // Stop at the workload's deadline, if it has one.
            if let deadline = context.deadline, ContinuousClock.now >= deadline { break }
            withUnsafeBytes(of: sequence.bigEndian) { outgoing.replaceSubrange(0..<8, with: $0) }
            let sent = ContinuousClock.now
            _ = try outgoing.withUnsafeBytes { try socket.send($0, to: address, port: port) }
            var answered = false
            while !answered {
                // A receive that times out (EAGAIN) means the echo is lost.
                guard let got = try? incoming.withUnsafeMutableBytes({ try socket.receive(into: $0) }), got >= 8 else { break }
                let echoed = incoming.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
                // An older echo that arrived late is skipped.
                answered = echoed == sequence
            }
            if answered {
                // Histograms keep integers of their unit: microseconds here.
                let rtt = ContinuousClock.now - sent
                let microseconds = Double(rtt.components.seconds) * 1e6 + Double(rtt.components.attoseconds) / 1e12
                context.metrics.record("rtt", microseconds, unit: "us")
                context.metrics.sample("rtt", microseconds / 1e3, unit: "ms")
                context.metrics.progress("rtt", microseconds / 1e3, unit: "ms")
            } else {
                lost += 1
            }
            next += interval
            let wait = next - ContinuousClock.now
            if wait > .zero { usleep(UInt32(wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000)) }
        }
        return lost
    }
}

import Glibc
