import ArgumentParser
import Foundation
import NetLoomCore
import NetLoomModel
import NetLoomPluginAPI

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
            capability, 130 interrupted (Ctrl-C; the lab is taken down), 1 anything else. See docs/suites.md#calibration.
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
        let interrupted = StopFlag()
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) {
            if !quiet { printError("interrupted: stopping after this measurement and taking the lab down") }
            interrupted.stop()
        }
        defer { withExtendedLifetime(signals) {} }
        let report: CalibrationReport
        do {
            report = try Calibration.run(
                lab, labText: text, options: options, logger: logger,
                progress: { line in if !quiet { printError("    \(line)") } },
                shouldStop: { interrupted.isStopped })
        } catch is CancellationError {
            throw ExitCode(130)
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
