import ArgumentParser
import Foundation
import NetLoomReports

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarize a results folder (or a suite's folder) and write report.html (charts) into it.",
        discussion: """
            Prints the run (lab, status, times, phases), its workloads with their headline figures, the \
            timeline as applied and per-link totals, and writes FOLDER/report.html: throughput over time, \
            latency CDFs, link utilization and drops, TCP RTT and window, timeline events marked. \
            For a suite's folder (`netloom suite`), prints the medians per point and writes a page with \
            every figure charted against every swept field (docs/suites.md). \
            Exit codes: 0 success, 2 not a results folder (or a missing or malformed file in it), 1 anything else. \
            See docs/results.md.
            """)

    @Argument(help: "A results folder (results/<lab>-<time>, as `netloom run` prints it).")
    var folder: String

    @Flag(help: "Print a machine-readable digest instead of text.")
    var json = false

    @Flag(name: .customLong("no-html"), help: "Do not write report.html.")
    var noHTML = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        if SuiteReport.isSuiteFolder(folder) { return try suite() }
        let report: ResultsReport
        do {
            report = try ResultsReport(path: folder)
        } catch {
            printError("netloom: \(error)")
            throw Exit.badInput
        }
        var written: String?
        if !noHTML {
            do {
                written = try report.writeHTML()
            } catch {
                printError("netloom: \(error)")
                throw Exit.failure
            }
        }
        if json {
            try printJSON(report.digest(report: written))
        } else if !global.quiet {
            print(report.text(report: written))
        }
    }

    /// A suite's folder: the medians per point, and report.html with the figures against the swept fields.
    func suite() throws {
        let report: SuiteReport
        do {
            report = try SuiteReport(path: folder)
        } catch {
            printError("netloom: \(folder): \(error)")
            throw Exit.badInput
        }
        var written: String?
        if !noHTML {
            do {
                written = try report.writeHTML()
            } catch {
                printError("netloom: \(error)")
                throw Exit.failure
            }
        }
        if json {
            try printJSON(report.table)
        } else if !global.quiet {
            print(report.text(report: written))
        }
    }
}
