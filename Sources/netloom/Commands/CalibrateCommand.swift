import ArgumentParser
import Foundation
import NetLoomCore
import NetLoomModel

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Bring a lab up and measure every link against its configuration: RTT, TCP goodput, loss (needs root).",
        discussion: """
            Each link is measured on its own between its two ends (a switch end gets a probe address on its \
            bridge for the calibration): the round-trip time of UDP probes against the one-way delays of both \
            directions, TCP goodput in each direction against the payload share of the rate (1448/1514 at MTU \
            1500), and UDP loss in each direction against the configured loss. Prints configured, expected, \
            measured, the relative error and a verdict per measurement, and flags those outside tolerance. \
            The lab's workloads and timeline are not run; the lab is taken down at the end. Exit codes: 0 every \
            measurement within tolerance, 4 some outside tolerance or failed, 2 bad lab file, 3 missing \
            capability, 1 anything else. See docs/suites.md#calibration.
            """)

    @Argument(help: "The lab file.")
    var file: String

    @Option(name: .customLong("link"), help: "Only this link (repeatable).")
    var links: [String] = []

    @Flag(help: "Round trips only (no TCP, no loss): a few seconds per lab.")
    var quick = false

    @Flag(name: .customLong("no-goodput"), help: "Skip the TCP goodput measurements.")
    var noGoodput = false

    @Flag(name: .customLong("no-loss"), help: "Skip the loss measurements.")
    var noLoss = false

    @Option(help: "Seconds of TCP measured per direction (after slow start).")
    var seconds: Double = 2

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.logger()
        let (lab, text): (ResolvedLab, String)
        do {
            (lab, text) = try ResolvedLab.read(path: file)
        } catch {
            throw Exit.report(error)
        }
        var options = Calibration.Options()
        options.links = links.isEmpty ? nil : links
        options.goodput = !quick && !noGoodput
        options.loss = !quick && !noLoss
        options.goodputWindow = .milliseconds(Int64(max(seconds, 0.2) * 1000))
        let quiet = global.quiet || json
        let report: CalibrationReport
        do {
            report = try Calibration.run(lab, labText: text, options: options, logger: logger) { line in
                if !quiet { printError("    \(line)") }
            }
        } catch {
            throw Exit.report(error)
        }
        if json {
            try printJSON(report)
        } else if !global.quiet {
            print(CalibrationText.render(report))
        }
        if report.problems > 0 { throw ExitCode(4) }
    }
}

/// The calibration as a table.
enum CalibrationText {
    static func render(_ report: CalibrationReport) -> String {
        var text = "calibration of \(report.lab) (\(report.file)): kernel \(report.kernel), sch_netem \(report.netem ? "present" : "absent"), "
            + "\(report.cores) cores"
        if let baseline = report.baselineBitsPerSecond {
            text += "; TCP over an unshaped veth here: \(rate(baseline / 1e6))"
        }
        text += "\n\n"
        var table = Table("LINK", "BACKEND", "MEASURE", "CONFIGURED", "EXPECTED", "MEASURED", "ERROR", "TOLERANCE", "VERDICT")
        for link in report.links {
            for (index, row) in link.measurements.enumerated() {
                let first = index == 0
                let verdict: String = switch row.verdict {
                case .ok: "ok"
                case .outside: "OUTSIDE"
                case .unchecked: "not checked"
                case .failed: "FAILED"
                }
                table.add(
                    first ? link.link : "", first ? link.backend : "", row.quantity, value(row.configured, row.unit),
                    value(row.expected, row.unit), value(row.measured, row.unit),
                    row.relativeError.map { String(format: "%+.1f%%", $0 * 100) } ?? "", row.tolerance,
                    verdict + (row.verdict == .ok ? "" : row.note.map { ": \($0)" } ?? ""))
            }
        }
        text += table.render(indent: "  ")
        let outside = report.links.filter { !$0.withinTolerance }
        let count = report.links.flatMap(\.measurements).count
        text += "\n\n\(report.links.count) link\(report.links.count == 1 ? "" : "s"), \(count) measurements: "
        text += outside.isEmpty ? "every one within tolerance"
            : "\(report.problems) outside tolerance or failed, on \(outside.map(\.link).joined(separator: ", "))"
        text += "\nRTT is the round trip of UDP probes (expected: the one-way delays of both directions, plus the probes' serialization); "
            + "goodput is TCP payload (expected: the rate's payload share); loss counts UDP datagrams each way."
        return text
    }

    static func value(_ value: Double?, _ unit: String) -> String {
        guard let value else { return "-" }
        switch unit {
        case "Mbit/s": return rate(value)
        case "ms": return String(format: value < 10 ? "%.3f ms" : "%.2f ms", value)
        case "%": return String(format: "%.3f%%", value)
        default: return String(format: "%.4g %@", value, unit)
        }
    }

    static func rate(_ mbps: Double) -> String {
        mbps >= 1000 ? String(format: "%.3g Gbit/s", mbps / 1000) : String(format: "%.4g Mbit/s", mbps)
    }
}
