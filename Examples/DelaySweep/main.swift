// A delay sweep written in Swift: the suite shown in docs/scripting.md, as a program. The lab comes up
// once; for each delay the swept link changes in place, then one run measures request/response latency
// (rr) across it and, right after, TCP throughput (bulk); each point is repeated, and a table of medians
// is printed. The lab always comes down, also on an error or Ctrl-C.
//
//   swift build && sudo .build/debug/netloom-example-delay-sweep --delays 1ms,5ms,10ms,20ms --time 2s

import Foundation
import NetLoom

/// One point of the sweep: medians over its repetitions.
struct Row: Codable, Sendable {
    var delay: String
    /// Twice the one-way delay: the round trip the swept link adds.
    var addedRTTMilliseconds: Double
    var latencyP50Milliseconds: Double
    var latencyP99Milliseconds: Double
    var throughputMbitPerSecond: Double
}

func sweep(_ flags: Flags) async throws -> [Row] {
    try await withLab(.file(flags.lab), name: flags.name, options: flags.options) { lab in
        var rows: [Row] = []
        for delay in flags.delays {
            try await lab.set(flags.link, delay: delay)
            var p50s: [Double] = [], p99s: [Double] = [], throughputs: [Double] = []
            for repetition in 1...flags.repetitions {
                // rr first, bulk once rr is done: the latency is that of an idle path.
                let run = try await lab.run([
                    Workload("rr", nodes: [flags.from, flags.to], params: ["time": .time(flags.time)]),
                    Workload("bulk", nodes: [flags.from, flags.to], params: ["time": .time(flags.time)],
                             start: flags.time + .milliseconds(100)),
                ], label: "delay-\(delay.labDescription)-\(repetition)")
                p50s.append(try figure(run, "rr", "latency p50") / 1000)
                p99s.append(try figure(run, "rr", "latency p99") / 1000)
                throughputs.append(try figure(run, "bulk", "throughput"))
            }
            rows.append(Row(
                delay: delay.labDescription, addedRTTMilliseconds: 2 * Double(delay.totalNanoseconds) / 1e6,
                latencyP50Milliseconds: median(p50s), latencyP99Milliseconds: median(p99s),
                throughputMbitPerSecond: median(throughputs)))
        }
        if !flags.json, let folder = await lab.resultsFolder { print("results: \(folder)") }
        return rows
    }
}

func figure(_ run: RunResult, _ plugin: String, _ name: String) throws -> Double {
    guard let value = run.workload(plugin)?.figure(name)?.value else {
        throw FlagError("the \(plugin) run in \(run.folder) has no `\(name)`")
    }
    return value
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func table(_ rows: [Row], link: String) -> String {
    let header = ["\(link) delay", "added RTT", "rr p50", "rr p99", "bulk"]
    let body = rows.map { row in
        [row.delay, String(format: "%.1f ms", row.addedRTTMilliseconds), String(format: "%.2f ms", row.latencyP50Milliseconds),
         String(format: "%.2f ms", row.latencyP99Milliseconds), String(format: "%.1f Mbit/s", row.throughputMbitPerSecond)]
    }
    let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
    return ([header] + body).map { cells in
        cells.enumerated().map { column, cell in
            String(repeating: " ", count: widths[column] - cell.count) + cell
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}

do {
    let flags = try Flags.parse(Array(CommandLine.arguments.dropFirst()))
    let rows = try await withSignalCancellation { [flags] in try await sweep(flags) }
    if flags.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(rows), as: UTF8.self))
    } else {
        print(table(rows, link: flags.link))
    }
} catch let error as FlagError {
    FileHandle.standardError.write(Data("netloom-example-delay-sweep: \(error)\n\n\(Flags.usage)\n".utf8))
    exit(2)
} catch is CancellationError {
    FileHandle.standardError.write(Data("interrupted; the lab is down\n".utf8))
    exit(130)
} catch {
    FileHandle.standardError.write(Data("netloom-example-delay-sweep: \(error)\n".utf8))
    exit(1)
}
