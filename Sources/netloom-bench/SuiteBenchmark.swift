import ArgumentParser
import BaselinePlugins
import Foundation
import Logging
import NetLoomCore
import NetLoomKernel
import NetLoomPluginAPI
import NetLoomSuites

/// `netloom-bench suite`: the overhead a suite adds per point (from the end of one run to the
/// start of the next one's workloads: results written, the lab changed, the runner's phases
/// before its workloads) when only shaping changes between points and is applied in place,
/// against the same suite with the lab taken down and built again between every two points.
struct SuiteBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Per-point suite overhead with shaping applied in place, against a full down/up per point (needs root).")

    @Option(help: "Points per suite (the wan's delay takes this many values; points - 1 overheads each).")
    var points: Int = 8

    @Option(help: "Hosts per rack (two racks, each on its switch, joined by the swept wan link).")
    var hostsPerRack: Int = 4

    @Flag(help: "Keep the suites' results folders.")
    var keep = false

    func run() throws {
        guard points >= 3, hostsPerRack >= 1 else { throw ValidationError("needs at least 3 points and 1 host per rack") }
        let machine = MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw ValidationError("needs root") }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let suite = try Suite.parse(yaml: suiteText(), file: "<suite benchmark>")
        let root = "/tmp/netloom-bench-suite-\(getpid())"
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }

        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, kernel \(machine.kernelRelease), sch_netem "
            + (machine.hasNetem ? "present" : "absent (the wan is a userspace link)"))
        print("suite: two racks of \(hostsPerRack) hosts, each rack on a switch, the switches joined by a wan whose delay takes "
            + "\(points) values (1 ms to \(points) ms); per point: bulk TCP between the racks for 300 ms; overhead = from the end "
            + "of one run to the start of the next one's workloads; medians over \(points - 1) point changes\n")

        var rows: [[String]] = [["mode", "overhead median", "min", "max", "of which lab change (median)", "transitions"]]
        var medians: [Double] = []
        for rebuild in [false, true] {
            SystemIdle.wait()
            var options = SuiteOptions()
            options.resultsRoot = root
            options.alwaysRebuild = rebuild
            options.sampleInterval = .milliseconds(200)
            options.grace = .seconds(3)
            options.machine = machine
            options.commandLine = ["netloom-bench", "suite"]
            let runner = SuiteRunner(suite: suite, registry: PluginRegistry(BaselinePlugins.all), options: options, logger: logger)
            let outcome = try waitFor { try await runner.run() }
            guard outcome.status == .completed else { throw ValidationError("the suite ended \(outcome.status.rawValue): \(outcome.folder)") }
            if keep { print("results: \(outcome.folder)") }
            let overheads = outcome.overheads.map(\.overheadSeconds)
            let transitions = Dictionary(grouping: outcome.overheads, by: \.transition).map { "\($0.value.count) \($0.key)" }.sorted()
            medians.append(median(overheads))
            rows.append([
                rebuild ? "full down/up" : "in place", ms(median(overheads)), ms(overheads.min()!), ms(overheads.max()!),
                ms(median(outcome.overheads.map(\.transitionSeconds))), transitions.joined(separator: ", "),
            ])
        }
        print(renderTable(rows))
        print(String(format: "\nin place: %@ per point, %.1fx less than a full down/up (%@); target under 100 ms: %@",
                     ms(medians[0]), medians[1] / medians[0], ms(medians[1]), medians[0] < 0.1 ? "met" : "NOT met"))
    }

    func suiteText() -> String {
        let delays = (1...points).map { "\($0)ms" }.joined(separator: ", ")
        return """
            name: bench-suite
            axes:
              - path: links[wan].delay
                values: [\(delays)]
            lab:
              name: bsuite-\(String(getpid(), radix: 36))
              nodes:
                a[1-\(hostsPerRack)]: {}
                b[1-\(hostsPerRack)]: {}
                sw1: { kind: switch }
                sw2: { kind: switch }
              links:
                - endpoints: ["a[1-\(hostsPerRack)]", sw1]
                  rate: 1gbit
                - endpoints: ["b[1-\(hostsPerRack)]", sw2]
                  rate: 1gbit
                - endpoints: [sw1, sw2]
                  name: wan
                  delay: 1ms
                  rate: 500mbit
              workloads:
                - plugin: bulk
                  nodes: [a1, b1]
                  params: { time: 300ms }
            """
    }

    func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
}
