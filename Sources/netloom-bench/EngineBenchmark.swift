import ArgumentParser
import Foundation
import Logging
import NetLoomKernel
import NetLoomLinkEngine

/// `netloom-bench engine`: fidelity and speed of the userspace link engine against its
/// configured values and against an unshaped veth measured in the same run.
struct EngineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Userspace link engine: delay, rate, loss fidelity, throughput, CPU per Gbit/s, added latency."
    )

    @Option(help: "Runs per case (medians are printed).")
    var runs = 3

    @Option(help: "Seconds per iperf3 run.")
    var seconds = 4

    @Option(help: "Cases to run (comma-separated): latency,delay,rate,throughput,loss,trace.")
    var cases = "latency,delay,rate,throughput,loss,trace"

    @Option(help: "Engine workers.")
    var workers = LinkEngine.defaultWorkers

    @Option(help: "Spin window before release times, microseconds.")
    var spinMicroseconds = 25

    @Flag(help: "Print the engine's counters after every engine case.")
    var verbose = false

    func run() throws {
        let wanted = Set(cases.split(separator: ",").map(String.init))
        let bench = Bench(runs: runs, seconds: seconds, workers: workers, verbose: verbose,
                          options: LinkEngineOptions(spin: .microseconds(spinMicroseconds)))
        print(machineLine())
        print("runs per case: \(runs); figures are medians; ratio = measured / configured (or / baseline)")
        print("")
        print(Row.header)
        if wanted.contains("latency") { try bench.latency() }
        if wanted.contains("delay") { try bench.delay() }
        if wanted.contains("rate") { try bench.rates() }
        if wanted.contains("throughput") { try bench.throughput() }
        if wanted.contains("loss") { try bench.loss() }
        if wanted.contains("trace") { try bench.trace() }
    }
}

private func machineLine() -> String {
    var info = utsname()
    uname(&info)
    let release = withUnsafeBytes(of: info.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    return "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, Linux \(release)"
}

/// One printed figure.
private struct Row {
    var name: String
    var configured: String
    var measured: String
    var ratio: String
    var note: String = ""

    static let header = pad("case", 38) + pad("configured", 14) + pad("measured", 16) + pad("ratio", 9) + "note"

    func print() {
        Swift.print(pad(name, 38) + pad(configured, 14) + pad(measured, 16) + pad(ratio, 9) + note)
    }
}

private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }


// MARK: topology

private struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

@discardableResult
private func sh(_ args: [String]) throws -> String {
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
        throw CommandFailed(description: "\(args.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
    }
    return text
}

/// Two hosts `a` and `b`, either joined directly by one veth (the baseline) or through
/// the engine's wire namespace. Deleted on `destroy()` and in deinit.
private final class Topology {
    nonisolated(unsafe) static var serial = 0
    let prefix: String
    let direct: Bool
    var a: String { "\(prefix)a" }
    var b: String { "\(prefix)b" }
    var wire: String { "\(prefix)w" }
    let addressB = "10.202.0.2"
    private var destroyed = false

    init(direct: Bool) throws {
        Topology.serial += 1
        prefix = "nlb\(getpid())x\(Topology.serial)"
        self.direct = direct
        do { try build() } catch {
            destroy()
            throw error
        }
    }

    private func build() throws {
        for ns in direct ? [a, b] : [a, b, wire] { try sh(["ip", "netns", "add", ns]) }
        if direct {
            try sh(["ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "eth0", "netns", b])
        } else {
            try sh(["ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "wa", "netns", wire])
            try sh(["ip", "link", "add", "eth0", "netns", b, "type", "veth", "peer", "name", "wb", "netns", wire])
            for dev in ["wa", "wb", "lo"] { try sh(["ip", "-n", wire, "link", "set", dev, "up"]) }
        }
        try sh(["ip", "-n", a, "addr", "add", "10.202.0.1/24", "dev", "eth0"])
        try sh(["ip", "-n", b, "addr", "add", "\(addressB)/24", "dev", "eth0"])
        for ns in [a, b] {
            for dev in ["lo", "eth0"] { try sh(["ip", "-n", ns, "link", "set", dev, "up"]) }
            // Windows large enough for 10 Gbit/s over 10 ms.
            try sh(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_rmem=4096 131072 134217728"])
            try sh(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_wmem=4096 65536 134217728"])
        }
    }

    func engine(_ shaping: DirectionShaping, reverse: DirectionShaping? = nil, workers: Int,
                options: LinkEngineOptions) throws -> LinkEngine {
        var logger = Logger(label: "netloom-bench")
        logger.logLevel = .warning
        let link = EngineLink(name: "a--b", sideA: "wa", sideB: "wb", aToB: shaping, bToA: reverse ?? shaping)
        return try LinkEngine(namespace: try NetworkNamespace.open(named: wire), links: [link], workers: workers,
                              logger: logger, options: options)
    }

    func exec(_ ns: String, _ args: [String]) throws -> String { try sh(["ip", "netns", "exec", ns] + args) }

    func destroy() {
        if destroyed { return }
        destroyed = true
        for ns in [a, b, wire] where NetworkNamespace.exists(named: ns) { _ = try? sh(["ip", "netns", "del", ns]) }
    }

    deinit { destroy() }

    /// Mean ping RTT in ms from ping's summary (microsecond resolution), after a second
    /// of pings that are not counted (pingSettle).
    func pingRTT(count: Int, interval: String = "0.01") throws -> Double {
        _ = try exec(a, ["ping", "-n", "-q"] + pingSettle(interval: interval) + ["-W", "2", addressB])
        let out = try exec(a, ["ping", "-n", "-q", "-c", "\(count)", "-i", interval, "-W", "2", addressB])
        guard let average = pingAverage(out) else { throw CommandFailed(description: "ping printed no summary: \(out)") }
        return average
    }

    /// iperf3 TCP goodput a -> b in bit/s (receiver side).
    func iperf(seconds: Int, udp: [String] = []) throws -> [String: Any] {
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
                out = try exec(a, ["iperf3", "-c", addressB, "-p", "5299", "-t", "\(seconds)", "-J", "-O", "1"] + udp)
                break
            } catch where attempt < 19 {
                continue
            }
        }
        guard let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw CommandFailed(description: "iperf3 printed no JSON")
        }
        return json
    }

    func tcpGoodput(seconds: Int) throws -> Double {
        let json = try iperf(seconds: seconds)
        let end = json["end"] as? [String: Any]
        let received = end?["sum_received"] as? [String: Any]
        return received?["bits_per_second"] as? Double ?? .nan
    }
}

// MARK: CPU accounting

/// CPU seconds (user + system) of the whole machine, from /proc/stat.
private func machineCPUSeconds() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let line = text.split(separator: "\n").first else { return .nan }
    let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    guard fields.count >= 8 else { return .nan }
    let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU seconds of this process's threads whose name starts with `prefix`, from
/// /proc/self/task/*/schedstat (nanoseconds on the CPU).
private func threadCPUSeconds(prefix: String) -> Double {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    var total = 0.0
    for tid in tasks {
        guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
              comm.hasPrefix(prefix),
              let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/schedstat", encoding: .utf8),
              let first = stat.split(separator: " ").first, let ns = Double(first) else { continue }
        total += ns / 1e9
    }
    return total
}

// MARK: UDP counting

/// Sends `count` numbered datagrams from a to b (paced) and returns which arrived.
private func udpDelivery(_ topo: Topology, count: Int, payload: Int = 200) throws -> [Bool] {
    let nsA = try NetworkNamespace.open(named: topo.a)
    let nsB = try NetworkNamespace.open(named: topo.b)
    let receiver = try nsB.run { () throws -> Int32 in
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var big: Int32 = 64 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, 4)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(5300).bigEndian
        addr.sin_addr.s_addr = INADDR_ANY
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if r != 0 { throw CommandFailed(description: "bind UDP receiver: errno \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
    let sender = try nsA.run { () -> Int32 in
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(5300).bigEndian
        inet_pton(AF_INET, topo.addressB, &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }
    defer { close(receiver); close(sender) }
    let seen = UnsafeMutableBufferPointer<Bool>.allocate(capacity: count)
    seen.initialize(repeating: false)
    defer { seen.deallocate() }
    let seenAddress = UInt(bitPattern: seen.baseAddress)
    let thread = try DedicatedThread.spawn(name: "udp-recv") {
        let seen = UnsafeMutablePointer<Bool>(bitPattern: seenAddress)!
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            let n = recv(receiver, &buffer, buffer.count, 0)
            if n < 8 { break }
            let seq = buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if seq < UInt64(count) { seen[Int(seq)] = true }
        }
    }
    var datagram = [UInt8](repeating: 0, count: payload)
    for seq in 0..<count {
        datagram.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(seq), as: UInt64.self) }
        while send(sender, datagram, datagram.count, 0) < 0 { usleep(50) }
        if seq % 32 == 31 { usleep(250) }  // about 100k datagrams/s
    }
    DedicatedThread.join(thread)
    return Array(seen)
}

// MARK: cases

private struct Bench {
    var runs: Int
    var seconds: Int
    var workers: Int
    var verbose: Bool
    var options: LinkEngineOptions

    func withEngine<T>(_ shaping: DirectionShaping, reverse: DirectionShaping? = nil,
                       _ body: (Topology, LinkEngine) throws -> T) throws -> T {
        let topo = try Topology(direct: false)
        defer { topo.destroy() }
        let engine = try topo.engine(shaping, reverse: reverse, workers: workers, options: options)
        try engine.start()
        defer {
            engine.stop()
            if verbose { for c in engine.counters() { print("    \(c)") } }
        }
        return try body(topo, engine)
    }

    func latency() throws {
        let direct = try Topology(direct: true)
        let base = median(try (0..<runs).map { _ in try direct.pingRTT(count: 200) })
        direct.destroy()
        let shaped = try withEngine(.passthrough) { topo, _ in
            median(try (0..<runs).map { _ in try topo.pingRTT(count: 200) })
        }
        Row(name: "ping RTT, unshaped veth (baseline)", configured: "-", measured: f(base, 3) + " ms", ratio: "-").print()
        Row(name: "ping RTT, engine delay 0", configured: "baseline", measured: f(shaped, 3) + " ms",
            ratio: f(shaped / base, 2), note: "added \(f((shaped - base) * 1000, 0)) us per round trip").print()
    }

    func delay() throws {
        for (oneWay, tolerance) in [(10.0, 20 * 0.02 + 0.1), (1.0, 0.1)] {
            let shaping = DirectionShaping(delay: .microseconds(Int64(oneWay * 1000)))
            let (rtt, late) = try withEngine(shaping) { topo, engine in
                let cpuBefore = threadCPUSeconds(prefix: "netloom-eng"), start = Date()
                let rtt = median(try (0..<runs).map { _ in try topo.pingRTT(count: 100, interval: "0.02") })
                let cpuShare = (threadCPUSeconds(prefix: "netloom-eng") - cpuBefore) / Date().timeIntervalSince(start)
                usleep(5_000)
                let c = engine.counters()
                let sent = c.reduce(0) { $0 + $1.sentFrames }, total = c.reduce(0) { $0 + $1.releaseLatenessTotalNanoseconds }
                let stamped = c.reduce(0) { $0 + $1.kernelTimestamped }, received = c.reduce(0) { $0 + $1.receivedPackets }
                let sendLatency = c.map { f(Double($0.sendLatencyNanoseconds) / 1000, 1) }.joined(separator: "/")
                return (rtt, "send latency \(sendLatency) us taken off (a->b/b->a); release late by \(f(Double(total) / Double(max(sent, 1)) / 1000, 1)) us mean, max \(f(Double(c.map(\.releaseLatenessMaxNanoseconds).max() ?? 0) / 1000, 0)) us; kernel-stamped \(stamped)/\(received); engine CPU \(f(cpuShare * 100, 2)) % of a core")
            }
            let target = 2 * oneWay
            Row(name: "ping RTT, delay \(f(oneWay, 0)) ms each way", configured: f(target, 3) + " ms",
                measured: f(rtt, 3) + " ms", ratio: f(rtt / target, 4),
                note: (abs(rtt - target) <= tolerance ? "within +-\(f(tolerance, 2)) ms; " : "OUTSIDE +-\(f(tolerance, 2)) ms; ") + late).print()
        }
    }

    func rates() throws {
        for (label, bps) in [("10 Mbit/s", 10e6), ("100 Mbit/s", 100e6), ("1 Gbit/s", 1e9), ("10 Gbit/s", 10e9)] {
            let shaping = DirectionShaping(delay: .milliseconds(5), rate: .constant(bitsPerSecond: UInt64(bps)))
            let goodput = try withEngine(shaping) { topo, _ in
                median(try (0..<runs).map { _ in try topo.tcpGoodput(seconds: seconds) })
            }
            let ratio = goodput / bps
            Row(name: "TCP goodput, rate \(label), 5 ms", configured: label, measured: f(goodput / 1e6, 1) + " Mbit/s",
                ratio: f(ratio, 3), note: ratio >= 0.93 && ratio <= 1.0 ? "ok (ceiling 0.956)" : "outside 0.93...1.0").print()
        }
    }

    func throughput() throws {
        var baseRates: [Double] = [], baseCPU: [Double] = []
        for _ in 0..<runs {
            let direct = try Topology(direct: true)
            let before = machineCPUSeconds()
            let rate = try direct.tcpGoodput(seconds: seconds)
            let cpu = machineCPUSeconds() - before
            direct.destroy()
            baseRates.append(rate)
            baseCPU.append(cpu / (rate / 1e9 * Double(seconds + 1)))
        }
        var rates: [Double] = [], machine: [Double] = [], engineCPU: [Double] = []
        try withEngine(DirectionShaping(delay: .milliseconds(10))) { topo, _ in
            for _ in 0..<runs {
                let before = machineCPUSeconds(), engineBefore = threadCPUSeconds(prefix: "netloom-eng")
                let rate = try topo.tcpGoodput(seconds: seconds)
                let cpu = machineCPUSeconds() - before
                let engine = threadCPUSeconds(prefix: "netloom-eng") - engineBefore
                let gbitSeconds = rate / 1e9 * Double(seconds + 1)
                rates.append(rate)
                machine.append(cpu / gbitSeconds)
                engineCPU.append(engine / gbitSeconds)
            }
        }
        let base = median(baseRates), shaped = median(rates)
        Row(name: "TCP, unshaped veth (baseline)", configured: "-", measured: f(base / 1e9, 2) + " Gbit/s", ratio: "-",
            note: "machine CPU \(f(median(baseCPU), 3)) s per Gbit").print()
        Row(name: "TCP, engine, delay 10 ms, no rate", configured: ">= 8 Gbit/s", measured: f(shaped / 1e9, 2) + " Gbit/s",
            ratio: f(shaped / base, 2),
            note: "engine threads \(f(median(engineCPU), 3)) s/Gbit, machine \(f(median(machine), 3)) s/Gbit").print()
    }

    func loss() throws {
        let count = 100_000
        var measured: [Double] = []
        var counted: [Double] = []
        for run in 0..<runs {
            let shaping = DirectionShaping(loss: .random(probability: 0.01), seed: UInt64(run + 1))
            let (delivered, dropped) = try withEngine(shaping, reverse: .passthrough) { topo, engine in
                let seen = try udpDelivery(topo, count: count)
                let c = engine.counters()[0]
                return (seen.filter { $0 }.count, Double(c.droppedLoss) / Double(max(c.receivedPackets, 1)))
            }
            measured.append(1 - Double(delivered) / Double(count))
            counted.append(dropped)
        }
        let m = median(measured)
        Row(name: "UDP loss, random 1 %, 100k datagrams", configured: "1.000 %", measured: f(m * 100, 3) + " %",
            ratio: f(m / 0.01, 3), note: abs(m - 0.01) <= 0.002 ? "within 0.2 points; engine counted \(f(median(counted) * 100, 3)) %" : "OUTSIDE 0.2 points").print()

        let ge = LossSpec.gilbertElliott(p: 0.01, r: 0.25, h: 0.1, k: 0.999)
        var geLoss: [Double] = [], geBurst: [Double] = []
        for run in 0..<runs {
            let seen = try withEngine(DirectionShaping(loss: ge, seed: UInt64(100 + run)), reverse: .passthrough) { topo, _ in
                try udpDelivery(topo, count: count)
            }
            let lost = seen.filter { !$0 }.count
            var bursts = 0
            for i in seen.indices where !seen[i] && (i == 0 || seen[i - 1]) { bursts += 1 }
            geLoss.append(Double(lost) / Double(count))
            geBurst.append(bursts > 0 ? Double(lost) / Double(bursts) : 0)
        }
        Row(name: "UDP loss, Gilbert-Elliott stationary", configured: f(ge.stationaryLoss * 100, 3) + " %",
            measured: f(median(geLoss) * 100, 3) + " %", ratio: f(median(geLoss) / ge.stationaryLoss, 3),
            note: "p=1% r=25% h=10% k=99.9%").print()
        Row(name: "UDP loss, Gilbert-Elliott mean burst", configured: f(ge.meanBurstLength, 3),
            measured: f(median(geBurst), 3), ratio: f(median(geBurst) / ge.meanBurstLength, 3), note: "datagrams").print()
    }

    func trace() throws {
        let trace = MahimahiTrace.constant(bitsPerSecond: 24e6)
        let shaping = DirectionShaping(delay: .milliseconds(5), rate: .mahimahi(trace))
        let goodput = try withEngine(shaping) { topo, _ in
            median(try (0..<runs).map { _ in try topo.tcpGoodput(seconds: seconds) })
        }
        let average = trace.averageBitsPerSecond
        Row(name: "TCP goodput, Mahimahi trace, 5 ms", configured: f(average / 1e6, 1) + " Mbit/s",
            measured: f(goodput / 1e6, 2) + " Mbit/s", ratio: f(goodput / average, 3), note: "ceiling 0.956").print()
    }
}
