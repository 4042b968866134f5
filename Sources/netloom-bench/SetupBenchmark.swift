import ArgumentParser
import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel

/// `netloom-bench setup`: time to bring a star of N hosts up and down, every link
/// shaped by tbf in both directions, against the same topology built in the same run
/// by running `ip` and `tc` one command at a time, as Mininet and most tools do.
struct SetupBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Lab up/down time against the same lab built with ip and tc commands one by one (needs root).")

    @Option(help: "Comma-separated host counts.")
    var hosts: String = "16,64,256,1024"

    @Option(help: "Runs per size and tool (medians are reported).")
    var runs: Int = 3

    @Option(help: "Skip the ip/tc baseline above this many hosts (it takes ~40 s per run at 1024).")
    var baselineLimit: Int = 1024

    func run() throws {
        let sizes = hosts.split(separator: ",").compactMap { Int($0) }
        SystemIdle.quietNamespaces = SystemIdle.netNamespaces()   // before the probe's scratch namespaces
        let machine = MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw ValidationError("needs root") }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(machine.kernelRelease), runs per cell: \(runs)")
        print("topology: N hosts on one switch (a Linux bridge holds at most 1023 ports, so above 1000 hosts the switch is a root bridge with leaf bridges of up to 1000 ports), tbf rate 1gbit on both directions of every link, IPv4 and IPv6 addresses\n")
        var table: [[String]] = [["N", "netloom up", "netloom down", "ip/tc up", "ip/tc down", "up ratio", "down ratio", "netloom phases (median run)"]]
        for size in sizes {
            let (lab, text) = try StarLab.resolved(hosts: size)
            var ours: [(up: Double, down: Double, phases: [PhaseTiming])] = []
            var baseline: [(up: Double, down: Double)] = []
            for _ in 0..<runs {
                SystemIdle.wait()
                let start = ContinuousClock.now
                let state = try LabLifecycle.up(lab, labText: text, logger: logger, machine: machine)
                let up = seconds(ContinuousClock.now - start)
                let downStart = ContinuousClock.now
                try LabLifecycle.down(lab: lab.name, logger: logger)
                ours.append((up, seconds(ContinuousClock.now - downStart), state.timings))
                if size <= baselineLimit {
                    SystemIdle.wait()
                    baseline.append(try StarLab.baseline(hosts: size))
                }
            }
            let upMedian = median(ours.map(\.up))
            let downMedian = median(ours.map(\.down))
            let phases = ours.sorted { $0.up < $1.up }[ours.count / 2].phases
                .map { "\($0.phase) \(String(format: "%.3f", $0.seconds))" }.joined(separator: ", ")
            if baseline.isEmpty {
                table.append(["\(size)", fmt(upMedian), fmt(downMedian), "-", "-", "-", "-", phases])
            } else {
                let baseUp = median(baseline.map(\.up))
                let baseDown = median(baseline.map(\.down))
                table.append([
                    "\(size)", fmt(upMedian), fmt(downMedian), fmt(baseUp), fmt(baseDown),
                    String(format: "%.1fx", baseUp / upMedian), String(format: "%.1fx", baseDown / downMedian), phases,
                ])
            }
            print(table.last!.joined(separator: "  "))
        }
        print("\n" + renderTable(table))
    }

    func fmt(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }
}


/// The benchmark topology, as a lab file and as ip/tc commands.
enum StarLab {
    static let portsPerBridge = 1000

    static func leaves(hosts: Int) -> Int { hosts <= 1023 ? 0 : (hosts + portsPerBridge - 1) / portsPerBridge }

    static func resolved(hosts: Int) throws -> (ResolvedLab, String) {
        var yaml = "name: bench\(hosts)\nnodes:\n  h[1-\(hosts)]: { kind: host }\n  sw: { kind: switch }\n"
        let leafCount = leaves(hosts: hosts)
        if leafCount > 0 { yaml += "  leaf[1-\(leafCount)]: { kind: switch }\n" }
        yaml += "links:\n"
        if leafCount == 0 {
            yaml += "  - endpoints: [\"h[1-\(hosts)]\", sw]\n    rate: 1gbit\n"
        } else {
            for leaf in 1...leafCount {
                let first = (leaf - 1) * portsPerBridge + 1
                let last = min(leaf * portsPerBridge, hosts)
                yaml += "  - endpoints: [\"h[\(first)-\(last)]\", leaf\(leaf)]\n    rate: 1gbit\n"
                yaml += "  - endpoints: [leaf\(leaf), sw]\n"
            }
        }
        return (try ResolvedLab.parse(yaml: yaml, file: "<setup benchmark>"), yaml)
    }

    /// Builds and removes the same star with one `ip`/`tc` process per step; returns
    /// the seconds each took.
    static func baseline(hosts: Int) throws -> (up: Double, down: Double) {
        let lab = "base\(hosts)"
        let prefix = hosts <= 254 ? 24 : 16
        var up = ["ip netns add \(lab).sw", "ip -n \(lab).sw link add br0 type bridge", "ip -n \(lab).sw link set br0 up"]
        var down = ["ip netns del \(lab).sw"]
        let leafCount = leaves(hosts: hosts)
        for leaf in 0..<leafCount {
            let ns = "\(lab).leaf\(leaf)"
            up += ["ip netns add \(ns)", "ip -n \(ns) link add br0 type bridge", "ip -n \(ns) link set br0 up",
                   "ip link add up0 netns \(ns) type veth peer name leaf\(leaf) netns \(lab).sw",
                   "ip -n \(ns) link set up0 master br0 up", "ip -n \(lab).sw link set leaf\(leaf) master br0 up"]
            down.append("ip netns del \(ns)")
        }
        for host in 1...hosts {
            let ns = "\(lab).h\(host)"
            let bridge = leafCount == 0 ? "\(lab).sw" : "\(lab).leaf\((host - 1) / portsPerBridge)"
            let v4 = prefix == 24 ? "10.0.0.\(host)/24" : "10.0.\(host / 256).\(host % 256)/16"
            up += [
                "ip netns add \(ns)",
                "ip -n \(ns) link set lo up",
                "ip link add eth0 netns \(ns) type veth peer name p\(host) netns \(bridge)",
                "ip -n \(bridge) link set p\(host) master br0 up",
                "ip -n \(ns) link set eth0 up",
                "ip -n \(ns) addr add \(v4) dev eth0",
                "ip -n \(ns) addr add fd00:6e6c::\(String(host, radix: 16))/64 dev eth0 nodad",
                "tc -n \(ns) qdisc add dev eth0 root tbf rate 1gbit burst 125000 limit 151400",
                "tc -n \(bridge) qdisc add dev p\(host) root tbf rate 1gbit burst 125000 limit 151400",
            ]
            down.append("ip netns del \(ns)")
        }
        let upTime = try runScript(up)
        let downTime = try runScript(down)
        return (upTime, downTime)
    }

    /// Runs each line as its own process (bash forks and execs each command).
    static func runScript(_ lines: [String]) throws -> Double {
        let path = "/tmp/netloom-bench-\(getpid()).sh"
        try ("set -e\n" + lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path]
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("baseline script failed (\(path))") }
        return seconds(ContinuousClock.now - start)
    }
}

/// Waits until the kernel has freed the previous run's network namespaces and the CPUs
/// are mostly idle, so that run's cleanup does not land in the next measurement. The
/// namespaces matter on their own: `down` returns while the kernel still holds them,
/// and it frees them in a batch up to a second later on an almost idle machine (300
/// namespaces: 0.75 s at 30 % CPU), which an idle-CPU check alone let through.
enum SystemIdle {
    /// Network namespaces allocated before the benchmark built anything.
    nonisolated(unsafe) static var quietNamespaces = netNamespaces()

    static func wait(threshold: Double = 0.85, timeout: Duration = .seconds(60)) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, let live = netNamespaces(), let quiet = quietNamespaces, live > quiet + 2 {
            usleep(100_000)
        }
        var previous = sample()
        while ContinuousClock.now < deadline {
            usleep(500_000)
            let current = sample()
            let total = current.total - previous.total
            if total > 0 && Double(current.idle - previous.idle) / Double(total) >= threshold { return }
            previous = current
        }
    }

    /// Allocated `net_namespace` objects (/proc/slabinfo, root only), nil if unreadable.
    static func netNamespaces() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/slabinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("net_namespace ") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    static func sample() -> (idle: UInt64, total: UInt64) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first
        else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 5 else { return (0, 0) }
        return (values[3] + values[4], values.reduce(0, +))
    }
}
