// Reports / Loading: a results folder (docs/results.md) read into values: summary.json, environment.json,
// lab.json, events.csv, links.csv, tcp.csv and every workload's series, histograms and tables.

import Foundation
import NetLoomCore
import NetLoomModel

/// One workload's files under `workloads/<index>-<plugin>/`, with its record from summary.json.
public struct WorkloadFiles: Sendable {
    public var summary: WorkloadSummary
    /// series.csv, in file order.
    public var series: [SeriesSample]
    /// histograms/*.csv, by name.
    public var histograms: [HistogramCDF]
    /// tables/*.csv, by name.
    public var tables: [ResultTable]

    /// The series' names in first-seen order, each with its unit.
    public var seriesNames: [(name: String, unit: String)] {
        var seen: Set<String> = []
        return series.compactMap { sample in seen.insert(sample.series).inserted ? (sample.series, sample.unit) : nil }
    }
}

/// A results folder, read whole. `init(path:)` throws `ReportError` naming the file when
/// something is missing or malformed; a folder without summary.json is not a results folder.
public struct ResultsFolder: Sendable {
    public let path: String
    public var summary: RunSummary
    /// nil only for a run that failed before the lab was up (environment.json is written then).
    public var environment: RunEnvironment?
    public var lab: ResolvedLab
    /// lab.yaml, the lab file as given (nil if absent).
    public var labText: String?
    public var events: [EventRecord]
    public var links: [LinkSample]
    public var tcp: [TCPSample]
    /// In summary.json's order.
    public var workloads: [WorkloadFiles]
    /// What the folder lacks that a report can do without (said in the report).
    public var notes: [String]

    public init(path given: String) throws(ReportError) {
        var path = given
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .noFolder(path)
        }
        guard FileManager.default.fileExists(atPath: "\(path)/summary.json") else { throw .notAResultsFolder(path) }
        self.path = path
        notes = []
        let files = FolderReader(root: path)
        summary = try files.json(RunSummary.self, "summary.json")
        lab = try files.json(ResolvedLab.self, "lab.json")
        if files.exists("environment.json") || summary.status != .failed {
            environment = try files.json(RunEnvironment.self, "environment.json")
        } else {
            environment = nil
            notes.append("environment.json is absent: the run failed before the lab was up")
        }
        labText = files.exists("lab.yaml") ? try files.text("lab.yaml") : nil
        events = try EventRecord.read(files.csv("events.csv"))
        links = try LinkSample.read(files.csv("links.csv"))
        tcp = try TCPSample.read(files.csv("tcp.csv"))
        workloads = []
        for workload in summary.workloads {
            workloads.append(try Self.workload(workload, files: files, notes: &notes))
        }
    }

    static func workload(_ summary: WorkloadSummary, files: FolderReader, notes: inout [String]) throws(ReportError) -> WorkloadFiles {
        let directory = summary.directory
        let parts = directory.split(separator: "/")
        guard !directory.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
            throw .malformed(file: "summary.json", line: nil,
                             reason: "workloads[\(summary.index)].directory \"\(directory)\" is not a folder inside the results folder")
        }
        var result = WorkloadFiles(summary: summary, series: [], histograms: [], tables: [])
        let seriesFile = "\(directory)/series.csv"
        if files.exists(seriesFile) || !summary.series.isEmpty {
            result.series = try SeriesSample.read(files.csv(seriesFile))
        }
        for name in try files.csvFiles(in: "\(directory)/histograms", required: !summary.histograms.isEmpty) {
            result.histograms.append(try HistogramCDF.read(files.csv("\(directory)/histograms/\(name).csv"), name: name))
        }
        for name in try files.csvFiles(in: "\(directory)/tables", required: !summary.tables.isEmpty) {
            let table = try files.csv("\(directory)/tables/\(name).csv")
            result.tables.append(ResultTable(name: name, columns: table.header, rows: table.rows.map(\.fields)))
        }
        if summary.status != "ok", result.series.isEmpty, result.histograms.isEmpty {
            notes.append("workload \(summary.index) (\(summary.plugin)) recorded nothing before it ended \(summary.status)")
        }
        return result
    }
}

/// Reads the files of one folder; errors name the file relative to it.
struct FolderReader {
    let root: String

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: "\(root)/\(relative)") }

    func data(_ relative: String) throws(ReportError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDirectory) else {
            throw .missing(file: relative)
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: relative, reason: "it is a folder") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(relative)"))
        } catch {
            throw .unreadable(file: relative, reason: "\((error as NSError).localizedDescription)")
        }
    }

    func text(_ relative: String) throws(ReportError) -> String {
        guard let text = String(data: try data(relative), encoding: .utf8) else {
            throw .unreadable(file: relative, reason: "it is not UTF-8 text")
        }
        return text
    }

    func csv(_ relative: String) throws(ReportError) -> CSVTable {
        try CSVTable(parsing: try text(relative), file: relative)
    }

    func json<T: Decodable>(_ type: T.Type, _ relative: String) throws(ReportError) -> T {
        let data = try data(relative)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw .malformed(file: relative, line: nil, reason: Self.describe(error))
        } catch {
            throw .malformed(file: relative, line: nil, reason: "\(error)")
        }
    }

    /// The names (without `.csv`) of the CSV files in a folder, sorted.
    func csvFiles(in relative: String, required: Bool) throws(ReportError) -> [String] {
        guard exists(relative) else {
            if required { throw .missing(file: relative + "/") }
            return []
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(relative)")
        } catch {
            throw .unreadable(file: relative + "/", reason: "\((error as NSError).localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".csv") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// A decoding error as a field path and what is wrong with it.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "the top level" : text)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(Self.name(of: type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): is null, expected \(Self.name(of: type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "not valid JSON" + ((context.underlyingError as NSError?).map { ": \($0.localizedDescription)" } ?? "")
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Double.Type, is Int.Type, is UInt64.Type, is Int64.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "a list" : "\(type)".contains("Dictionary") ? "an object" : "\(type)"
        }
    }
}
