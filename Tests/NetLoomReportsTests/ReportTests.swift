import Foundation
import Testing
@testable import NetLoomReports

@Suite("report.html and the terminal summary")
struct ReportTests {
    static let generated = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func thePageHasEveryChart() throws {
        let html = try ResultsReport(path: Fixture.path).html(generated: Self.generated)
        // Throughput of both workloads together, each workload's own, the link's rate,
        // utilization and drops, TCP RTT and window.
        #expect(occurrences(of: "<svg ", in: html) == 8)
        for title in [
            "throughput of every workload", "w0 bulk: throughput over time", "w1 bulk: throughput over time",
            "wan: rate carried per direction", "wan: utilization of the configured rate", "wan: drops per direction",
            "TCP round-trip time", "TCP congestion window",
        ] {
            #expect(html.contains(">\(title)</title>"), "no chart titled \(title)")
        }
        // Every chart is over time and marks the timeline event, with its label and full text.
        #expect(occurrences(of: "class=\"marker marker-event\"", in: html) == 8)
        #expect(occurrences(of: ">T1 wan set</text>", in: html) == 8)
        #expect(html.contains("<title>T1 at 2.01 s: wan: set a-&gt;b delay 5ms rate 100mbit"))
        #expect(html.contains(">w0 start</text>") && html.contains(">w1 end</text>"))
        // The configured rate is drawn, dashed, next to what was carried.
        #expect(html.contains("<title>configured (both directions)</title>"))
    }

    @Test func thePageIsWellFormedAndSelfContained() throws {
        let html = try ResultsReport(path: Fixture.path).html(generated: Self.generated)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(xmlError(html) == nil, "\(xmlError(html) ?? "")")
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        #expect(!html.contains("https://"))
        #expect(html.contains("@media print"))
    }

    @Test func thePageHasTheRunFacts() throws {
        let html = try ResultsReport(path: Fixture.path).html(generated: Self.generated)
        #expect(html.contains("<title>NetLoom report: report-demo (succeeded)</title>"))
        #expect(html.contains("<span class=\"status status-good\">succeeded</span>"))
        for fact in ["<dd>vm</dd>", "<dd>6.18.44-fc-v782</dd>", "<dd>0.1.0</dd>", "this kernel has no sch_netem", "<td>userspace</td>",
                     "delay 5ms rate 200mbit", "200 Mbit/s, 100 Mbit/s from 2.01 s", "<td class=\"num\">88.2 MB</td>", "128 Mbit/s",
                     "name: report-demo"] {
            #expect(html.contains(fact), "no \(fact)")
        }
    }

    @Test func histogramsAndTablesBecomeCDFsAndTables() throws {
        try Fixture.withCopy { folder in
            var cdf = "value,unit,fraction\n"
            for i in 0...20 { cdf += "\(Int(10 * pow(10, Double(i) / 5))),us,\(Double(i) / 20)\n" }
            try Fixture.write(cdf, to: "\(folder)/workloads/0-bulk/histograms/rtt.csv")
            try Fixture.write("size,time_us\n1MiB,310\n64MiB,9870\n", to: "\(folder)/workloads/1-bulk/tables/sizes.csv")
            let html = try ResultsReport(path: folder).html(generated: Self.generated)
            #expect(occurrences(of: "<svg ", in: html) == 9)
            #expect(html.contains(">w0 bulk: rtt CDF</title>"))
            #expect(html.contains(">rtt, log scale (us)</text>") && html.contains(">samples at or below (%)</text>"))
            #expect(html.contains(">w1 bulk: table sizes</h4>"))
            #expect(html.contains("<td>64MiB</td>\n<td class=\"num\">9870</td>"))
            #expect(xmlError(html) == nil)
        }
    }

    @Test func writesReportHTMLAndReplacesIt() throws {
        try Fixture.withCopy { folder in
            let report = try ResultsReport(path: folder)
            let path = try report.writeHTML(generated: Self.generated)
            #expect(path == "\(folder)/report.html")
            let first = try String(contentsOfFile: path, encoding: .utf8)
            #expect(first == report.html(generated: Self.generated))
            try report.writeHTML(generated: Self.generated)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(names.filter { $0.hasPrefix("report.html") } == ["report.html"])
        }
    }

    @Test func aTrailingSlashIsNotDoubled() throws {
        try Fixture.withCopy { folder in
            let report = try ResultsReport(path: folder + "/")
            #expect(report.folder.path == folder)
            #expect(try report.writeHTML() == "\(folder)/report.html")
        }
    }

    @Test func aLinkWithoutDropsGetsASentenceInsteadOfAFlatChart() throws {
        try Fixture.withCopy { folder in
            let path = "\(folder)/links.csv"
            let table = try CSVTable(parsing: try String(contentsOfFile: path, encoding: .utf8), file: "links.csv")
            let drops = try table.column("drops")
            let rows = table.rows.map { row in row.fields.enumerated().map { $0.offset == drops ? "0" : $0.element }.joined(separator: ",") }
            try Fixture.write(([table.header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n", to: path)
            let html = try ResultsReport(path: folder).html(generated: Self.generated)
            #expect(occurrences(of: "<svg ", in: html) == 7)
            #expect(html.contains("No drops on wan while it was sampled."))
        }
    }

    @Test func refusesASymlinkedReport() throws {
        try Fixture.withCopy { folder in
            let target = URL(fileURLWithPath: folder).deletingLastPathComponent().appendingPathComponent("victim").path
            try Fixture.write("precious", to: target)
            try FileManager.default.createSymbolicLink(atPath: "\(folder)/report.html", withDestinationPath: target)
            let report = try ResultsReport(path: folder)
            #expect(throws: ReportError.unsafeOutput("\(folder)/report.html")) { try report.writeHTML() }
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        }
    }

    @Test func theTerminalSummary() throws {
        let text = try ResultsReport(path: Fixture.path).text(report: "results/x/report.html")
        let lines = text.components(separatedBy: "\n")
        #expect(lines[0] == "run of report-demo (report-demo.yaml): succeeded")
        #expect(lines[1] == "  2026-11-25T12:31:47Z to 2026-11-25T12:31:52Z (5 s)")
        #expect(lines.contains("  0  bulk    h1,h2  ok      123 ms  5.4 s   retransmits 3525 segments, throughput 128 Mbit/s"))
        #expect(lines.contains { $0.hasPrefix("  T1  2.01 s  wan   set a->b delay 5ms rate 100mbit") })
        #expect(lines.contains("  wan   h1->h2     userspace  100 Mbit/s  88.2 MB  61309    3557   134 Mbit/s   189 Mbit/s"))
        #expect(lines.last == "report: results/x/report.html")
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
    }
}
