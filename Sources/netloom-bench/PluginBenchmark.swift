import ArgumentParser
import BaselinePlugins
import Dispatch
import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI

/// `netloom-bench plugins`: the traffic plugins against the standard tools, on the same
/// unshaped veth in the same lab run (each lab runs its cases one after another, in
/// alternating order, through `netloom run`'s runner; the tools run inside the lab
/// with the `exec` plugin):
/// - bulk TCP throughput against iperf3 (target: ratio >= 0.95);
/// - rr latency (1-byte TCP request/response) against `ping -f` (ICMP echo, kernel
///   timestamps) and against a 60-line C TCP_RR client/server compiled here: the
///   overhead in microseconds.
struct PluginBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "bulk against iperf3 and rr against ping and a C TCP_RR on the same veth (needs root).")

    @Option(help: "Runs per case (medians are printed).")
    var runs = 5

    @Option(help: "Seconds per throughput run.")
    var seconds = 5

    @Option(help: "Seconds per latency run.")
    var latencySeconds = 3

    @Option(help: "Cases (comma-separated): bulk,rr.")
    var cases = "bulk,rr"

    @Flag(help: "Keep the results folders (under /tmp).")
    var keep = false

    func run() throws {
        let machine = MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw ValidationError("needs root") }
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(machine.kernelRelease), "
              + "load average \(String(format: "%.2f", load[0])) at start; \(runs) runs per case, medians")
        print("lab: two namespaces joined by one unshaped veth (MTU 1500, offloads on); every case in one lab run\n")
        let wanted = Set(cases.split(separator: ",").map(String.init))
        var rows: [[String]] = [["case", "netloom", "baseline", "ratio / overhead", "verdict"]]
        if wanted.contains("bulk") { rows += try bulk() }
        if wanted.contains("rr") { rows += try latency() }
        print("\n" + renderTable(rows))
    }

    // MARK: - bulk against iperf3

    func bulk() throws -> [[String]] {
        let slot = seconds + 3
        var workloads: [String] = []
        for run in 0..<runs {
            // Alternate which goes first, so a drift of the machine hits both alike.
            let order = run % 2 == 0 ? ["bulk", "iperf3"] : ["iperf3", "bulk"]
            for (k, tool) in order.enumerated() {
                let start = (2 * run + k) * slot
                if tool == "bulk" {
                    workloads.append("""
                          - { plugin: bulk, nodes: [a, b], start: \(start)s, params: { time: \(seconds)s } }
                        """)
                } else {
                    let script = "if [ \"$RANK\" = 1 ]; then exec iperf3 -s -1 -p $MASTER_PORT; "
                        + "else sleep 0.5; exec iperf3 -c ${NETLOOM_ADDRESSES#*,} -p $MASTER_PORT -t \(seconds) -J; fi"
                    workloads.append("""
                          - { plugin: exec, nodes: [a, b], start: \(start)s, duration: \(slot - 1)s, params: { command: [sh, -c, '\(script)'] } }
                        """)
                }
            }
        }
        let results = try runLab(workloads: workloads)
        defer { results.remove(keep: keep) }
        var ours: [Double] = []
        var theirs: [Double] = []
        for workload in results.summary.workloads {
            guard workload.status == "ok" else { throw ValidationError("workload \(workload.index) \(workload.plugin): \(workload.error ?? workload.status)") }
            if workload.plugin == "bulk" {
                ours.append(workload.results["throughput"]!.value * 1e6)
            } else {
                let json = results.file("\(workload.directory)/a.stdout")
                guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                      let end = object["end"] as? [String: Any], let received = end["sum_received"] as? [String: Any],
                      let bits = received["bits_per_second"] as? Double
                else { throw ValidationError("iperf3: \(json.prefix(300))") }
                theirs.append(bits)
            }
        }
        for (run, (a, b)) in zip(ours, theirs).enumerated() {
            print("run \(run + 1): bulk \(format(a / 1e9, 2)) Gbit/s, iperf3 \(format(b / 1e9, 2)) Gbit/s, ratio \(format(a / b, 3))")
        }
        // Runs of the two alternate, so each pair shares the machine's state: the median of
        // the pairs' ratios is the figure; the ratio of the medians is printed beside it.
        let ratio = median(zip(ours, theirs).map { $0 / $1 })
        let spread = { (values: [Double]) in "\(format(values.min()! / 1e9, 1))-\(format(values.max()! / 1e9, 1))" }
        print("bulk \(spread(ours)) Gbit/s, iperf3 \(spread(theirs)) Gbit/s over the runs; "
              + "ratio of the medians \(format(median(ours) / median(theirs), 3)), median of the paired ratios \(format(ratio, 3))")
        return [[
            "TCP throughput, 1 flow, \(seconds) s", "\(format(median(ours) / 1e9, 2)) Gbit/s (bulk)",
            "\(format(median(theirs) / 1e9, 2)) Gbit/s (iperf3)", "\(format(ratio, 3)) (paired)", ratio >= 0.95 ? "ok (>= 0.95)" : "BELOW 0.95",
        ]]
    }

    // MARK: - rr against ping and a C TCP_RR

    func latency() throws -> [[String]] {
        let program = try CRequestResponse.build()
        defer { try? FileManager.default.removeItem(atPath: (program as NSString).deletingLastPathComponent) }
        let slot = latencySeconds + 2
        var workloads: [String] = []
        var start = 0
        for run in 0..<runs {
            let order = run % 2 == 0 ? ["rr", "c", "ping"] : ["c", "rr", "ping"]
            for tool in order {
                switch tool {
                case "rr":
                    workloads.append("""
                          - { plugin: rr, nodes: [a, b], start: \(start)s, params: { time: \(latencySeconds)s } }
                        """)
                case "c":
                    let script = "if [ \"$RANK\" = 1 ]; then exec \(program) server $MASTER_PORT; "
                        + "else exec \(program) client ${NETLOOM_ADDRESSES#*,} $MASTER_PORT \(latencySeconds); fi"
                    workloads.append("""
                          - { plugin: exec, nodes: [a, b], start: \(start)s, duration: \(slot)s, params: { command: [sh, -c, '\(script)'] } }
                        """)
                default:
                    let script = "if [ \"$RANK\" = 0 ]; then exec ping -f -q -w \(latencySeconds) ${NETLOOM_ADDRESSES#*,}; fi"
                    workloads.append("""
                          - { plugin: exec, nodes: [a, b], start: \(start)s, duration: \(slot)s, params: { command: [sh, -c, '\(script)'] } }
                        """)
                }
                start += slot
            }
        }
        let results = try runLab(workloads: workloads)
        defer { results.remove(keep: keep) }
        var rr: (p50: [Double], mean: [Double]) = ([], [])
        var c: (p50: [Double], mean: [Double]) = ([], [])
        var ping: [Double] = []
        for workload in results.summary.workloads {
            guard workload.status == "ok" else { throw ValidationError("workload \(workload.index) \(workload.plugin): \(workload.error ?? workload.status)") }
            if workload.plugin == "rr" {
                rr.p50.append(workload.results["latency p50"]!.value)
                rr.mean.append(workload.results["latency mean"]!.value)
                continue
            }
            let output = results.file("\(workload.directory)/a.stdout")
            if output.contains("min/avg/max") {
                guard let average = pingAverage(output) else { throw ValidationError("ping: \(output)") }
                ping.append(average * 1000)
            } else {
                // "transactions N p50_us X mean_us Y"
                let fields = output.split(whereSeparator: \.isWhitespace)
                guard fields.count >= 6, let p50 = Double(fields[3]), let mean = Double(fields[5]) else {
                    throw ValidationError("C TCP_RR: \(output)")
                }
                c.p50.append(p50)
                c.mean.append(mean)
            }
        }
        for run in 0..<runs {
            print("run \(run + 1): rr p50 \(format(rr.p50[run], 1)) us mean \(format(rr.mean[run], 2)) us; "
                  + "C TCP_RR p50 \(format(c.p50[run], 1)) us mean \(format(c.mean[run], 2)) us; ping -f avg \(format(ping[run], 1)) us")
        }
        return [
            ["1-byte TCP_RR latency, p50", "\(format(median(rr.p50), 1)) us (rr)", "\(format(median(c.p50), 1)) us (C TCP_RR)",
             signed(median(rr.p50) - median(c.p50), 1) + " us", "overhead of the plugin"],
            ["1-byte TCP_RR latency, mean", "\(format(median(rr.mean), 2)) us (rr)", "\(format(median(c.mean), 2)) us (C TCP_RR)",
             signed(median(rr.mean) - median(c.mean), 2) + " us", "overhead of the plugin"],
            ["rr mean against ICMP echo", "\(format(median(rr.mean), 2)) us (rr)", "\(format(median(ping), 1)) us (ping -f avg)",
             signed(median(rr.mean) - median(ping), 1) + " us", "TCP + plugin over ICMP (ping times in the kernel)"],
        ]
    }

    // MARK: - The lab

    /// Runs a two-host lab with `workloads` through the runner (as `netloom run` does).
    func runLab(workloads: [String]) throws -> BenchResults {
        let name = "bplug\(getpid() % 100_000)"
        let yaml = """
            name: \(name)
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
            \(workloads.joined(separator: "\n"))
            """
        return try BenchResults.run(yaml, file: "<plugin benchmark>", plugins: BaselinePlugins.all,
                                    resultsRoot: "/tmp/netloom-bench-plugins")
    }
}

/// A difference with its sign: "+3.31", "-0.10".
func signed(_ value: Double, _ digits: Int) -> String { String(format: "%+.\(digits)f", value) }

/// A results folder of a benchmark run.
struct BenchResults {
    let summary: RunSummary
    let path: String

    /// Runs a lab through the runner, as `netloom run` does; a run whose workloads failed is returned
    /// (its summary says why), one that could not run throws.
    static func run(_ yaml: String, file: String, plugins: [any TrafficPlugin.Type], resultsRoot: String) throws -> BenchResults {
        let lab = try ResolvedLab.parse(yaml: yaml, file: file)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var options = RunOptions()
        options.resultsRoot = resultsRoot
        options.commandLine = CommandLine.arguments
        let runner = LabRunner(lab: lab, labText: yaml, registry: PluginRegistry(plugins), options: options, logger: logger)
        let outcome = try waitFor { try await runner.run() }
        guard outcome.status == .succeeded || outcome.status == .workloadFailed, let path = outcome.resultsPath else {
            throw ValidationError("the lab run failed: \(outcome.summary.error ?? outcome.status.rawValue)")
        }
        return BenchResults(summary: outcome.summary, path: path)
    }

    func file(_ relative: String) -> String {
        (try? String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8)) ?? ""
    }

    func remove(keep: Bool) {
        if keep { print("results: \(path)") } else { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// Runs async work from a synchronous command and returns its result.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.set(await Result { try await body() })
        done.signal()
    }
    done.wait()
    return try box.get()
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let lock = NSLock()
    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() throws -> T { try lock.withLock { result! }.get() }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// The baseline for latency: a minimal C TCP_RR (one connection, 1-byte request and
/// response, TCP_NODELAY, blocking calls, clock_gettime around each transaction).
enum CRequestResponse {
    static let source = #"""
        #include <arpa/inet.h>
        #include <netinet/in.h>
        #include <netinet/tcp.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <time.h>
        #include <unistd.h>
        static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
        static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
        int main(int argc, char **argv) {
            int one = 1; char byte = 'x';
            if (argc == 3 && !strcmp(argv[1], "server")) {
                int l = socket(AF_INET, SOCK_STREAM, 0);
                setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
                if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)) { perror("listen"); return 1; }
                int c = accept(l, 0, 0);
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                while (recv(c, &byte, 1, 0) == 1) if (send(c, &byte, 1, 0) != 1) break;
                return 0;
            }
            if (argc != 5 || strcmp(argv[1], "client")) { fprintf(stderr, "usage: rr server PORT | rr client ADDR PORT SECONDS\n"); return 2; }
            struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
            inet_pton(AF_INET, argv[2], &a.sin_addr);
            int s = -1;
            for (int i = 0; i < 200; i++) {
                s = socket(AF_INET, SOCK_STREAM, 0);
                if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) break;
                close(s); s = -1; usleep(20000);
            }
            if (s < 0) { perror("connect"); return 1; }
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            size_t cap = 1 << 24, n = 0;
            double *lat = malloc(cap * sizeof *lat), end = now() + atof(argv[4]), sum = 0;
            while (n < cap) {
                double t0 = now();
                if (t0 >= end) break;
                if (send(s, &byte, 1, 0) != 1 || recv(s, &byte, 1, 0) != 1) { perror("rr"); return 1; }
                lat[n] = (now() - t0) * 1e6; sum += lat[n]; n++;
            }
            qsort(lat, n, sizeof *lat, cmp);
            printf("transactions %zu p50_us %.3f mean_us %.3f\n", n, lat[n / 2], sum / n);
            return 0;
        }
        """#

    /// Compiles the program (cc -O2) into /tmp; returns its path.
    static func build() throws -> String {
        let directory = "/tmp/netloom-bench-rr-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try source.write(toFile: "\(directory)/rr.c", atomically: true, encoding: .utf8)
        _ = try Shell.run(["cc", "-O2", "-o", "\(directory)/rr", "\(directory)/rr.c"])
        return "\(directory)/rr"
    }
}
