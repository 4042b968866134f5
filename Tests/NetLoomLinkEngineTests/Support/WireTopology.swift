import Foundation
import Synchronization
import NetLoomKernel
import NetLoomLinkEngine

/// A throwaway two-host topology for root tests: namespaces `<prefix>-a`, `<prefix>-b`
/// and the wire namespace `<prefix>-w`, joined by `a:eth0 <-> w:wa` and `w:wb <-> b:eth0`,
/// with 10.201.N.1/24 on a and 10.201.N.2/24 on b. Built with `ip`; `destroy()` stops the
/// engines it started and deletes the namespaces (and so every interface in them).
final class WireTopology {
    let prefix: String
    let subnet: Int
    var a: String { "\(prefix)-a" }
    var b: String { "\(prefix)-b" }
    var wire: String { "\(prefix)-w" }
    var addressA: String { "10.201.\(subnet).1" }
    var addressB: String { "10.201.\(subnet).2" }

    private static let counter = Counter()
    private var engines: [LinkEngine] = []

    init(tag: String) throws {
        let n = WireTopology.counter.next()
        prefix = "nle\(getpid() % 10000)\(tag)\(n)"
        subnet = Int((getpid() + Int32(n) * 7) % 250) + 1
        do {
            try build()
        } catch {
            destroy()
            throw error
        }
    }

    private func build() throws {
        for ns in [a, b, wire] { try sh("ip", "netns", "add", ns) }
        try sh("ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "wa", "netns", wire)
        try sh("ip", "link", "add", "eth0", "netns", b, "type", "veth", "peer", "name", "wb", "netns", wire)
        try sh("ip", "-n", a, "addr", "add", "\(addressA)/24", "dev", "eth0")
        try sh("ip", "-n", b, "addr", "add", "\(addressB)/24", "dev", "eth0")
        for ns in [a, b] {
            try sh("ip", "-n", ns, "link", "set", "lo", "up")
            try sh("ip", "-n", ns, "link", "set", "eth0", "up")
        }
        try sh("ip", "-n", wire, "link", "set", "lo", "up")
        try sh("ip", "-n", wire, "link", "set", "wa", "up")
        try sh("ip", "-n", wire, "link", "set", "wb", "up")
    }

    var c: String { "\(prefix)-c" }
    var d: String { "\(prefix)-d" }
    var addressD: String { "10.202.\(subnet).2" }

    /// A second link through the same wire namespace: `c:eth0 <-> w:wc`, `w:wd <-> d:eth0`.
    func addSecondPair() throws {
        for ns in [c, d] { try sh("ip", "netns", "add", ns) }
        try sh("ip", "link", "add", "eth0", "netns", c, "type", "veth", "peer", "name", "wc", "netns", wire)
        try sh("ip", "link", "add", "eth0", "netns", d, "type", "veth", "peer", "name", "wd", "netns", wire)
        try sh("ip", "-n", c, "addr", "add", "10.202.\(subnet).1/24", "dev", "eth0")
        try sh("ip", "-n", d, "addr", "add", "\(addressD)/24", "dev", "eth0")
        for ns in [c, d] {
            try sh("ip", "-n", ns, "link", "set", "lo", "up")
            try sh("ip", "-n", ns, "link", "set", "eth0", "up")
        }
        try sh("ip", "-n", wire, "link", "set", "wc", "up")
        try sh("ip", "-n", wire, "link", "set", "wd", "up")
    }

    func destroy() {
        for engine in engines { engine.stop() }
        for ns in [a, b, c, d, wire] where NetworkNamespace.exists(named: ns) { _ = try? sh("ip", "netns", "del", ns) }
    }

    deinit { destroy() }

    /// An engine for link `a--b` (wire ends wa, wb), started; `destroy()` stops it.
    @discardableResult
    func startEngine(aToB: DirectionShaping, bToA: DirectionShaping, workers: Int = 2,
                     options: LinkEngineOptions = LinkEngineOptions()) throws -> LinkEngine {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let engine = try LinkEngine(namespace: try NetworkNamespace.open(named: wire),
                                    links: [EngineLink(name: "a--b", sideA: "wa", sideB: "wb", aToB: aToB, bToA: bToA)],
                                    workers: workers, logger: logger, options: options)
        try start(engine)
        return engine
    }

    /// Starts an engine built on this topology; `destroy()` stops it before the namespaces go.
    func start(_ engine: LinkEngine) throws {
        engines.append(engine)
        try engine.start()
    }

    /// Runs a command inside namespace `ns` and returns its standard output.
    @discardableResult
    func exec(_ ns: String, _ args: String...) throws -> String {
        try sh(["ip", "netns", "exec", ns] + args)
    }
}

import Logging

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

struct CommandError: Error, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var output: String
    var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }
}

@discardableResult
func sh(_ args: String...) throws -> String { try sh(args) }

@discardableResult
func sh(_ args: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = args
    // An explicit environment: Process.run otherwise reads ProcessInfo.environment,
    // which crashed intermittently here (double free in Foundation) with engine threads running.
    process.environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if process.terminationStatus != 0 {
        throw CommandError(command: args, status: process.terminationStatus, output: text)
    }
    return text
}

/// Whether this process may create network namespaces and raw sockets: probed by
/// creating (and deleting) a namespace, not by checking the uid.
let canBuildNamespaces: Bool = {
    let name = "nleprobe\(getpid())"
    guard (try? sh("ip", "netns", "add", name)) != nil else { return false }
    defer { _ = try? sh("ip", "netns", "del", name) }
    return (try? sh("ip", "netns", "exec", name, "ip", "link", "add", "p0", "type", "veth", "peer", "name", "p1")) != nil
}()

/// Parses the RTTs (ms) out of ping's output.
func pingRTTs(_ output: String) -> [Double] {
    output.split(separator: "\n").compactMap { line in
        guard let r = line.range(of: "time=") else { return nil }
        return Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

import NetLoomKernel

extension WireTopology {
    /// iperf3 TCP goodput a -> b in bit/s (receiver side), `seconds` long.
    func tcpGoodput(seconds: Int) throws -> Double {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        server.arguments = ["netns", "exec", b, "iperf3", "-s", "-1", "-p", "5299"]
        server.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() }; server.waitUntilExit() }
        var out = ""
        for attempt in 0..<20 {
            usleep(100_000)
            do {
                out = try exec(a, "iperf3", "-c", addressB, "-p", "5299", "-t", "\(seconds)", "-J")
                break
            } catch where attempt < 19 { continue }
        }
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let end = json?["end"] as? [String: Any]
        return (end?["sum_received"] as? [String: Any])?["bits_per_second"] as? Double ?? 0
    }

    /// Sends `count` numbered UDP datagrams a -> b (paced) and returns which arrived.
    func udpDelivery(count: Int) throws -> [Bool] {
        let nsA = try NetworkNamespace.open(named: a), nsB = try NetworkNamespace.open(named: b)
        let target = addressB
        let receiver = try nsB.run { () -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var big: Int32 = 32 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, 4)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(5301).bigEndian
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var tv = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return fd
        }
        let sender = try nsA.run { () -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(5301).bigEndian
            inet_pton(AF_INET, target, &addr.sin_addr)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            return fd
        }
        defer { close(receiver); close(sender) }
        var datagram = [UInt8](repeating: 0, count: 200)
        var seen = [Bool](repeating: false, count: count)
        var buffer = [UInt8](repeating: 0, count: 2048)
        // Send in bursts of 32 and drain the receiver in between: one thread is enough.
        var seq = 0
        while seq < count {
            for _ in 0..<32 where seq < count {
                datagram.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(seq), as: UInt64.self) }
                while send(sender, datagram, datagram.count, 0) < 0 { usleep(50) }
                seq += 1
            }
            usleep(200)
            while recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 8 {
                let n = buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                if n < UInt64(count) { seen[Int(n)] = true }
            }
        }
        while recv(receiver, &buffer, buffer.count, 0) >= 8 {
            let n = buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if n < UInt64(count) { seen[Int(n)] = true }
        }
        return seen
    }

    func pingMedian(count: Int = 10, interval: String = "0.05") throws -> Double {
        _ = try exec(a, "ping", "-c", "1", "-W", "2", "-n", addressB)
        return median(pingRTTs(try exec(a, "ping", "-c", "\(count)", "-i", interval, "-W", "2", "-n", addressB)))
    }
}

extension LinkEngine {
    /// Counters once the workers have published what they just did (at least every
    /// millisecond while busy, and before they sleep).
    func publishedCounters() -> [EngineLinkCounters] {
        usleep(5_000)
        return counters()
    }
}
