import ArgumentParser
import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import NetLoomPluginAPI
import TrainingPlugins

/// `netloom-bench collectives`: the collective plugin's fidelity in real labs built by NetLoom.
///
/// - busbw: ring all-reduce at its largest sizes on N hosts on one switch (rate only), busbw against
///   the bottleneck link's payload rate (rate x 1448/1514 / 8 bytes per second);
/// - alpha-beta: an all-reduce size sweep with 1 ms one-way delay per link (host to host 2 ms), the
///   measured time against the alpha-beta prediction for the lab's links. Queues are deep (4 MB), as in
///   a lossless fabric: the model has no TCP loss recovery, which shallow drop-tail queues bring in.
/// Every figure is a median over `runs` labs, with the CPU share the ranks used.
struct CollectiveBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collectives",
        abstract: "Collective plugin: ring all-reduce busbw against the link rate, and measured time against the alpha-beta prediction (needs root).")

    @Option(help: "Runs per case (medians are printed).")
    var runs = 1

    @Option(help: "Cases (comma-separated): busbw,alphabeta.")
    var cases = "busbw,alphabeta"

    @Option(help: "Rank counts for the busbw case.")
    var ranks = "4,8"

    @Option(help: "Rates for the busbw case.")
    var rates = "100mbit,1gbit"

    @Option(help: "Backend of the alpha-beta case's links (delay needs netem or the userspace engine).")
    var backend = "auto"

    @Option(help: "Rank counts for the alpha-beta case.")
    var sweepRanks = "4"

    @Option(help: "Link rates for the alpha-beta case.")
    var sweepRates = "100mbit,1gbit"

    @Option(help: "Algorithm of the alpha-beta sweep.")
    var algorithm = "ring"

    @Option(help: "Queue of the alpha-beta case's links: deep by default, as in a lossless fabric (auto: one BDP, where TCP's losses show).")
    var queue = "4MB"

    func run() throws {
        let machine = MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw ValidationError("needs root") }
        let wanted = Set(cases.split(separator: ",").map(String.init))
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(machine.kernelRelease), "
              + "sch_netem \(machine.hasNetem ? "present" : "absent"); \(runs) run(s) per case, medians")
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("load average at the start: \(load) (the machine's cores are shared: a CPU-bound note means its time is not network time)")
        print("collective plugin: ring all-reduce over TCP, float32, real sums checked, chunk 512 KiB, 1 channel, 1 socket per peer\n")
        if wanted.contains("busbw") {
            var rows: [[String]] = [["ranks", "rate", "size", "busbw GB/s", "payload rate GB/s", "busbw/payload", "cpu cores", "verdict"]]
            for n in ranks.split(separator: ",").compactMap({ Int($0) }) {
                for rate in rates.split(separator: ",").map(String.init) {
                    let bits = Double(try Bitrate(parsing: rate).bitsPerSecond)
                    // Largest sizes: a few seconds of transfer per iteration at most.
                    let largest = bits >= 1e9 ? "64MiB" : "16MiB"
                    let measured = try (0..<runs).map { _ in
                        try CollectiveLab.run(ranks: n, link: "{ rate: \(rate) }", params: "sizes: [\(largest)], iterations: 3, warmup: 1", machine: machine)
                    }
                    let busbw = median(measured.map { $0.rows.last?.busbw ?? .nan })
                    let cpu = median(measured.map { $0.rows.last?.cpu ?? .nan })
                    let payload = bits / 8 * 1448 / 1514 / 1e9
                    let ratio = busbw / payload
                    let row = ["\(n)", rate, largest, format(busbw, 4), format(payload, 4), format(ratio, 3), format(cpu, 2),
                               abs(1 - ratio) <= 0.10 ? "ok (within 10%)" : "OUTSIDE 10%" + (measured.last?.rows.last?.note.isEmpty == false ? " (CPU-bound)" : "")]
                    rows.append(row)
                    print(row.joined(separator: "  "))
                }
            }
            print("\n" + renderTable(rows) + "\n")
        }
        if wanted.contains("alphabeta") {
            for n in sweepRanks.split(separator: ",").compactMap({ Int($0) }) {
              for rate in sweepRates.split(separator: ",").map(String.init) {
                let slow = try Bitrate(parsing: rate).bitsPerSecond < 1_000_000_000
                let measured = try (0..<runs).map { _ in
                    try CollectiveLab.run(ranks: n, link: "{ rate: \(rate), delay: 1ms, backend: \(backend), queue: \(queue) }",
                                          params: "algorithm: \(algorithm), min: 4KiB, max: 16MiB, factor: 4, iterations: \(slow ? 3 : 8), warmup: \(slow ? 1 : 2)",
                                          machine: machine)
                }
                print("alpha-beta: \(n) ranks on a switch, \(rate), 1 ms one-way per link (2 ms host to host), queue \(queue), \(algorithm), "
                      + "overhead measured \(format(median(measured.map(\.overhead)), 1)) us, backends: \(measured.last?.backends ?? "")")
                var rows: [[String]] = [["size", "measured us", "predicted us", "measured/predicted", "cpu cores", "verdict"]]
                for (i, first) in (measured.first?.rows ?? []).enumerated() {
                    let time = median(measured.map { $0.rows[i].time })
                    let predicted = median(measured.map { $0.rows[i].predicted })
                    let ratio = time / predicted
                    rows.append(["\(first.size)", format(time, 1), format(predicted, 1), format(ratio, 3), format(first.cpu, 2),
                                 (abs(1 - ratio) <= 0.15 ? "ok (within 15%)" : "OUTSIDE 15%") + (first.note.isEmpty ? "" : "; " + first.note)])
                }
                print(renderTable(rows) + "\n")
              }
            }
        }
    }
}

/// A star lab of N hosts running one collective workload; the figures of its table.
enum CollectiveLab {
    struct Row {
        var size: Int
        var time: Double
        var busbw: Double
        var predicted: Double
        var cpu: Double
        var note: String
    }

    struct Result {
        var rows: [Row]
        var overhead: Double
        var backends: String
    }

    static func run(ranks: Int, link: String, params: String, machine: MachineCapabilities) throws -> Result {
        let name = "cb\(getpid() % 100_000)"
        let yaml = """
            name: \(name)
            settings: { tcp_slow_start_after_idle: false }
            defaults:
              link: \(link)
            nodes:
              h[0-\(ranks - 1)]: {}
              sw: { kind: switch }
            links:
              - endpoints: ["h[0-\(ranks - 1)]", sw]
            workloads:
              - plugin: collective
                nodes: "h[0-\(ranks - 1)]"
                params: { operation: all_reduce, \(params) }
            """
        let run = try BenchResults.run(yaml, file: "<collective benchmark>", plugins: TrainingPlugins.all,
                                       resultsRoot: NSTemporaryDirectory() + "netloom-bench-\(getpid())")
        let path = run.path
        guard let workload = run.summary.workloads.first, workload.status == "ok" else {
            throw ValidationError("the collective failed: \(run.summary.workloads.first?.error ?? run.summary.error ?? "")")
        }
        let csv = try String(contentsOfFile: "\(path)/\(workload.directory)/tables/nccl.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { throw ValidationError("no table") }
        func column(_ name: String) -> Int { header.firstIndex(of: name) ?? 0 }
        let rows = lines.dropFirst().map { cells in
            // busbw from the time (all-reduce: S / t x 2(n-1)/n), not from the rounded cell.
            Row(size: Int(cells[column("size")]) ?? 0, time: Double(cells[column("time_us")]) ?? .nan,
                busbw: (Double(cells[column("size")]) ?? .nan) / ((Double(cells[column("time_us")]) ?? .nan) * 1e-6) / 1e9
                    * CollectiveOperation.allReduce.busBandwidthFactor(ranks: ranks),
                predicted: Double(cells[column("predicted_us")]) ?? .nan,
                cpu: Double(cells[column("cpu_cores")]) ?? .nan, note: cells.count > column("note") ? cells[column("note")] : "")
        }
        let environment = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(path)/environment.json")))) as? [String: Any]
        let backends = Set(((environment?["backends"] as? [String: String]) ?? [:]).values.map { $0.components(separatedBy: ":").first ?? $0 })
        try? FileManager.default.removeItem(atPath: path)
        return Result(rows: rows, overhead: workload.results["overhead"]?.value ?? .nan, backends: backends.sorted().joined(separator: ", "))
    }
}
