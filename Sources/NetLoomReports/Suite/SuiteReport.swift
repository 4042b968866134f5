// Reports / Suite: `netloom report SUITE_FOLDER`: a suite's table read again from its run folders, its
// terminal summary, and report.html with each figure charted against each swept field.

import Foundation
import NetLoomCore
import NetLoomSuites

/// A suite folder with its table.
public struct SuiteReport: Sendable {
    public let folder: SuiteFolder
    public let manifest: SuiteManifest
    public let table: SuiteTable
    /// Each finished run's record (transition, overhead), by run folder.
    public let records: [String: SuiteRunRecord]

    /// Whether `path` is a suite folder (it has suite.json).
    public static func isSuiteFolder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path)/suite.json")
    }

    /// Reads the manifest and every run folder (the table is made again, so a report of a suite
    /// that is still running, or was interrupted, shows what is done).
    public init(path: String) throws(ReportError) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        folder = SuiteFolder(path: trimmed)
        do {
            manifest = try folder.manifest()
        } catch {
            throw .malformed(file: "suite.json", line: nil, reason: "\(error)")
        }
        table = SuiteTable(folder: folder, manifest: manifest)
        var records: [String: SuiteRunRecord] = [:]
        for run in manifest.runs { if let record = folder.runRecord(run) { records[run] = record } }
        self.records = records
    }

    /// Runs done (whatever their status) and in all.
    public var progress: (done: Int, total: Int) {
        (table.runs.filter { $0.status != "pending" }.count, table.runs.count)
    }

    /// `completed`, `completed with failures`, `3 of 8 runs done`.
    public var status: String {
        let (done, total) = progress
        if done < total { return "\(done) of \(total) runs done" }
        return table.runs.allSatisfy { $0.status == "succeeded" } ? "completed" : "completed with failures"
    }

    /// The terminal summary.
    public func text(report: String? = nil) -> String {
        var text = "suite \(manifest.suite) (\(manifest.file)): \(status)\n"
        text += "  lab \(manifest.lab), \(manifest.points.count) points x \(manifest.repetitions) repetitions\n\n"
        text += Self.medians(table)
        let overheads = Self.overheads(records.values)
        if !overheads.isEmpty { text += "\n\n" + overheads }
        if let report { text += "\n\nreport: \(report)" }
        return text
    }

    /// A row per point: the axes' values, runs that succeeded, and each figure's median with
    /// [min, max] over the repetitions (the first `limit` figures).
    public static func medians(_ table: SuiteTable, limit: Int = 4) -> String {
        let shown = Array(table.metrics.prefix(limit))
        var rows = TextTable(["POINT"] + table.axes.map { $0.name.uppercased() } + ["RUNS"] + shown.map { "\($0.key) (\($0.unit))" })
        for point in table.points {
            let figures = shown.indices.map { index -> String in
                guard let statistics = point.statistics[index] else { return "-" }
                var cell = Format.significant(statistics.median, 4)
                if statistics.count > 1, statistics.min != statistics.max {
                    cell += " [\(Format.significant(statistics.min, 4)), \(Format.significant(statistics.max, 4))]"
                }
                return cell
            }
            rows.add([point.point] + point.values + ["\(point.succeeded)/\(point.runs)"] + figures)
        }
        var text = rows.render(indent: "  ")
        if table.metrics.count > shown.count { text += "\n  (\(table.metrics.count - shown.count) more figures in table.csv)" }
        return text
    }

    /// "between runs ...: lab kept up 41 ms (7 times); rebuilt 1.2 s (3 times)", from the runs' records.
    public static func overheads(_ records: some Collection<SuiteRunRecord>) -> String {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let kept = records.filter { $0.transition == "in-place" || $0.transition == "unchanged" }.compactMap(\.overheadSeconds)
        let rebuilt = records.filter { $0.transition == "rebuilt" }.compactMap(\.overheadSeconds)
        var parts: [String] = []
        if !kept.isEmpty { parts.append("lab kept up \(Format.seconds(median(kept))) (\(kept.count)x)") }
        if !rebuilt.isEmpty { parts.append("lab rebuilt \(Format.seconds(median(rebuilt))) (\(rebuilt.count)x)") }
        guard !parts.isEmpty else { return "" }
        return "between runs (end of one run to the start of the next one's workloads), medians: " + parts.joined(separator: "; ")
    }

    /// The self-contained page.
    public func html(generated: Date = Date()) -> String {
        var page = SuitePage(report: self, generated: generated)
        return page.render()
    }

    /// Writes report.html into the suite folder atomically and returns its path.
    @discardableResult
    public func writeHTML(generated: Date = Date()) throws(ReportError) -> String {
        let path = "\(folder.path)/report.html"
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG { throw .unsafeOutput(path) }
        do {
            try AtomicFile.write(Data(html(generated: generated).utf8), to: path)
        } catch {
            throw .writeFailed(path, reason: "\(error)")
        }
        return path
    }
}
