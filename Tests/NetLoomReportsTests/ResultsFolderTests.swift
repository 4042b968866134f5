import Foundation
import NetLoomCore
import NetLoomModel
import Testing
@testable import NetLoomReports

@Suite("Results folder loading")
struct ResultsFolderTests {
    @Test func readsTheRealFolder() throws {
        let folder = try ResultsFolder(path: Fixture.path)
        #expect(folder.summary.lab == "report-demo" && folder.summary.status == .succeeded)
        #expect(folder.summary.workloads.map(\.plugin) == ["bulk", "bulk"])
        #expect(folder.summary.timeline.count == 1 && folder.summary.timeline[0].link == "wan")
        #expect(folder.environment?.backends["wan"]?.hasPrefix("userspace") == true)
        #expect(folder.lab.links.map(\.name) == ["wan"])
        #expect(folder.lab.links[0].aToB.rate == .mbit(200))
        #expect(folder.labText?.contains("name: report-demo") == true)
        #expect(folder.events.map(\.kind) == ["phase", "workload-start", "workload-start", "timeline", "workload-end", "workload-end", "phase"])
        #expect(folder.events[3].detail.hasPrefix("wan: set a->b delay 5ms rate 100mbit"))
        #expect(folder.links.count == 14)
        #expect(folder.links[2] == LinkSample(
            seconds: 1.131, link: "wan", direction: "h1->h2", backend: "userspace", bytes: 23_880_516, packets: 15_862, drops: 674,
            overlimits: 0, backlogBytes: 48_448, queuedPackets: 2))
        #expect(folder.tcp.count == 17)
        #expect(folder.tcp[0].rttMicroseconds == 20_048 && folder.tcp[0].cwnd == 488 && folder.tcp[0].workload == 0)
        #expect(folder.workloads.map { $0.series.count } == [6, 4])
        #expect(folder.workloads[0].seriesNames.map(\.name) == ["throughput"])
        #expect(folder.workloads[0].seriesNames.map(\.unit) == ["Mbit/s"])
        #expect(folder.workloads.allSatisfy { $0.histograms.isEmpty && $0.tables.isEmpty })
        #expect(folder.notes.isEmpty)
    }

    @Test func aMissingFolderAndAFolderWithoutSummary() throws {
        #expect(throws: ReportError.noFolder("/nonexistent/netloom-results")) { try ResultsFolder(path: "/nonexistent/netloom-results") }
        try Fixture.withCopy { folder in
            try FileManager.default.removeItem(atPath: "\(folder)/summary.json")
            #expect(throws: ReportError.notAResultsFolder(folder)) { try ResultsFolder(path: folder) }
            #expect(ReportError.notAResultsFolder(folder).description.contains("is not a results folder: it has no summary.json"))
        }
    }

    @Test func aMissingFileIsNamed() throws {
        for file in ["tcp.csv", "links.csv", "events.csv", "lab.json", "environment.json", "workloads/0-bulk/series.csv"] {
            try Fixture.withCopy { folder in
                try FileManager.default.removeItem(atPath: "\(folder)/\(file)")
                #expect(throws: ReportError.missing(file: file)) { try ResultsFolder(path: folder) }
            }
        }
    }

    @Test func aBadNumberIsNamedWithItsFileLineAndColumn() throws {
        try Fixture.withCopy { folder in
            let path = "\(folder)/links.csv"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try Fixture.write(text.replacingOccurrences(of: ",422,", with: ",lots,"), to: path)
            #expect(throws: ReportError.malformed(file: "links.csv", line: 3, reason: "bytes: \"lots\" is not a whole number of at least 0")) {
                try ResultsFolder(path: folder)
            }
        }
    }

    @Test func aMissingColumnIsNamed() throws {
        try Fixture.withCopy { folder in
            let path = "\(folder)/workloads/1-bulk/series.csv"
            try Fixture.write("seconds,series,value\n1,throughput,5\n", to: path)
            #expect(throws: ReportError.malformed(
                file: "workloads/1-bulk/series.csv", line: 1, reason: "no column \"unit\"; the header is seconds,series,value")) {
                try ResultsFolder(path: folder)
            }
        }
    }

    @Test func malformedJSONNamesTheField() throws {
        let cases: [(String, String, String)] = [
            ("\"status\" : \"succeeded\",", "", "status is missing"),
            ("\"lab\" : \"report-demo\"", "\"lab\" : 5", "lab: expected text"),
            ("\"status\" : \"succeeded\"", "\"status\" : \"great\"", "status: Cannot initialize RunStatus from invalid String value great"),
            ("\"started\" : 0.122512457", "\"started\" : \"soon\"", "workloads[0].started: expected a number"),
        ]
        for (old, new, reason) in cases {
            try Fixture.withCopy { folder in
                let path = "\(folder)/summary.json"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(text.contains(old))
                try Fixture.write(text.replacingOccurrences(of: old, with: new), to: path)
                #expect(throws: ReportError.malformed(file: "summary.json", line: nil, reason: reason)) { try ResultsFolder(path: folder) }
            }
        }
        try Fixture.withCopy { folder in
            try Fixture.write("{", to: "\(folder)/environment.json")
            do {
                _ = try ResultsFolder(path: folder)
                Issue.record("a truncated environment.json was accepted")
            } catch {
                #expect("\(error)".hasPrefix("environment.json: not valid JSON"))
            }
        }
    }

    @Test func aWorkloadFolderOutsideTheResultsFolderIsRefused() throws {
        try Fixture.withCopy { folder in
            let path = "\(folder)/summary.json"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try Fixture.write(text.replacingOccurrences(of: "\"workloads/0-bulk\"", with: "\"../../etc\""), to: path)
            #expect(throws: ReportError.malformed(
                file: "summary.json", line: nil, reason: "workloads[0].directory \"../../etc\" is not a folder inside the results folder")) {
                try ResultsFolder(path: folder)
            }
        }
    }

    @Test func histogramsAndTablesAreRead() throws {
        try Fixture.withCopy { folder in
            try Fixture.write("value,unit,fraction\n10,us,0.0000\n100,us,0.5000\n5000,us,1.0000\n", to: "\(folder)/workloads/0-bulk/histograms/rtt.csv")
            try Fixture.write("size,\"time, us\"\n1MiB,310\n64MiB,\"9,870\"\n", to: "\(folder)/workloads/0-bulk/tables/sizes.csv")
            let files = try ResultsFolder(path: folder).workloads[0]
            #expect(files.histograms == [HistogramCDF(name: "rtt", unit: "us", points: [
                CDFPoint(value: 10, fraction: 0), CDFPoint(value: 100, fraction: 0.5), CDFPoint(value: 5000, fraction: 1),
            ])])
            #expect(files.tables == [ResultTable(name: "sizes", columns: ["size", "time, us"], rows: [["1MiB", "310"], ["64MiB", "9,870"]])])
        }
    }

    @Test func aFailedRunWithoutEnvironmentIsStillReadable() throws {
        try Fixture.withCopy { folder in
            let path = "\(folder)/summary.json"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try Fixture.write(text.replacingOccurrences(of: "\"status\" : \"succeeded\"", with: "\"status\" : \"failed\""), to: path)
            try FileManager.default.removeItem(atPath: "\(folder)/environment.json")
            let results = try ResultsFolder(path: folder)
            #expect(results.environment == nil)
            #expect(results.notes == ["environment.json is absent: the run failed before the lab was up"])
        }
    }
}
