// Suites / Aggregate: the suite's table: a row per point and repetition with a column per swept field and
// per headline figure (`table.csv`), and a row per point with each figure's median and spread across its
// repetitions (`medians.csv`); both, with units, in `table.json`. Rebuilt from the run folders alone, so
// it is the same after a resume as after one uninterrupted pass.

import Foundation
import NetLoomCore
import NetLoomPluginAPI

/// A figure column: `bulk.throughput` (a plugin that runs once in the lab) or `bulk1.throughput`
/// (the workload at index 1 when the plugin runs more than once).
public struct MetricColumn: Codable, Sendable, Hashable {
    public var key: String
    public var workload: Int
    public var plugin: String
    /// The figure's name in the workload's summary (`throughput`, `latency.p99`).
    public var figure: String
    public var unit: String
    /// Whether it is a headline figure (else asked for under the suite's `metrics`).
    public var headline: Bool
}

/// Median and spread of one figure over a point's repetitions.
public struct MetricStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var median: Double
    public var min: Double
    public var max: Double
    public var mean: Double
    /// Sample standard deviation (0 with one value).
    public var stdev: Double
    /// (max - min) / |median|, in percent (nil when the median is 0).
    public var spreadPercent: Double?

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first!
        max = sorted.last!
        mean = sorted.reduce(0, +) / Double(sorted.count)
        let mean = self.mean
        stdev = sorted.count > 1 ? (sorted.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(sorted.count - 1)).squareRoot() : 0
        spreadPercent = median == 0 ? nil : (max - min) / abs(median) * 100
    }
}

/// The aggregate of a suite folder.
public struct SuiteTable: Codable, Sendable {
    public struct RunRow: Codable, Sendable {
        public var point: String
        public var repetition: Int
        /// One per axis, as written.
        public var values: [String]
        /// One per axis: the value in the axis's unit (nil when not a quantity).
        public var numbers: [Double?]
        public var seed: UInt64?
        /// The run's status (succeeded, workload-failed, failed, interrupted), or `pending`.
        public var status: String
        /// One per metric column; nil when the run has no such figure (or its workload failed).
        public var metrics: [Double?]
        /// Wall time of the run, with the lab's change before it.
        public var seconds: Double?
        /// How the lab got there: built, unchanged, in-place, rebuilt.
        public var transition: String?
        public var folder: String
    }

    public struct PointRow: Codable, Sendable {
        public var point: String
        public var values: [String]
        public var numbers: [Double?]
        public var runs: Int
        /// Runs whose workloads all succeeded.
        public var succeeded: Int
        /// One per metric column.
        public var statistics: [MetricStatistics?]
    }

    public var suite: String
    public var axes: [SuiteManifest.AxisRecord]
    public var metrics: [MetricColumn]
    /// Figures the suite's `metrics:` asked for that no finished run has (a misspelt name, say); nil in
    /// tables written before it was kept.
    public var unmatchedMetrics: [String]?
    public var runs: [RunRow]
    public var points: [PointRow]

    /// Reads every run folder of the suite.
    public init(folder: SuiteFolder, manifest: SuiteManifest) {
        suite = manifest.suite
        axes = manifest.axes
        var summaries: [String: RunSummary] = [:]
        for point in manifest.points {
            for run in point.runs {
                if let summary = folder.summary(run.folder) { summaries[run.folder] = summary }
            }
        }
        metrics = Self.columns(summaries: Array(summaries.values), extra: manifest.metrics)
        let found = Set(metrics.map(\.key))
        unmatchedMetrics = summaries.isEmpty ? [] : manifest.metrics.filter { !found.contains($0) }
        let numbers: (Int, String) -> Double? = { axis, text in
            guard let unit = manifest.axes[axis].unit, let quantity = Quantity(parsing: text) else { return nil }
            return quantity.scaled(to: unit)
        }
        var runs: [RunRow] = []
        var points: [PointRow] = []
        for point in manifest.points {
            let pointNumbers = point.values.enumerated().map { numbers($0, $1) }
            var values: [[Double]] = Array(repeating: [], count: metrics.count)
            var succeeded = 0
            for run in point.runs {
                let summary = summaries[run.folder]
                let record = folder.runRecord(run.folder)
                let figures = metrics.map { column in summary.flatMap { Self.figure(column, in: $0) } }
                for (index, figure) in figures.enumerated() { if let figure { values[index].append(figure) } }
                if summary?.status == .succeeded { succeeded += 1 }
                runs.append(RunRow(
                    point: point.id, repetition: run.repetition, values: point.values, numbers: pointNumbers, seed: run.seed,
                    status: summary?.status.rawValue ?? "pending", metrics: figures,
                    seconds: record?.seconds ?? summary.map { $0.finished.timeIntervalSince($0.started) }, transition: record?.transition,
                    folder: run.folder))
            }
            points.append(PointRow(
                point: point.id, values: point.values, numbers: pointNumbers,
                runs: point.runs.filter { summaries[$0.folder] != nil }.count, succeeded: succeeded,
                statistics: values.map(MetricStatistics.init)))
        }
        self.runs = runs
        self.points = points
    }

    /// Every headline figure of every workload seen, then the extra figures asked for; in workload
    /// order, names sorted.
    static func columns(summaries: [RunSummary], extra: [String]) -> [MetricColumn] {
        var columns: [String: MetricColumn] = [:]
        var extraColumns: [MetricColumn] = []
        for summary in summaries {
            let prefixes = workloadPrefixes(summary)
            for workload in summary.workloads {
                let prefix = prefixes[workload.index] ?? workload.plugin
                for (name, record) in workload.headline {
                    let key = "\(prefix).\(name)"
                    if columns[key] == nil {
                        columns[key] = MetricColumn(key: key, workload: workload.index, plugin: workload.plugin, figure: name,
                                                    unit: record.unit, headline: true)
                    }
                }
                for wanted in extra where wanted.hasPrefix(prefix + ".") && !extraColumns.contains(where: { $0.key == wanted }) {
                    let figure = String(wanted.dropFirst(prefix.count + 1))
                    guard columns[wanted] == nil, let (_, unit) = lookup(figure, in: workload) else { continue }
                    extraColumns.append(MetricColumn(key: wanted, workload: workload.index, plugin: workload.plugin, figure: figure,
                                                     unit: unit, headline: false))
                }
            }
        }
        return columns.values.sorted { ($0.workload, $0.figure) < ($1.workload, $1.figure) } + extraColumns
    }

    /// `bulk` for a plugin that runs once in the lab, `bulk0`, `bulk1`, ... otherwise.
    static func workloadPrefixes(_ summary: RunSummary) -> [Int: String] {
        var counts: [String: Int] = [:]
        for workload in summary.workloads { counts[workload.plugin, default: 0] += 1 }
        return Dictionary(uniqueKeysWithValues: summary.workloads.map { workload in
            (workload.index, counts[workload.plugin] == 1 ? workload.plugin : "\(workload.plugin)\(workload.index)")
        })
    }

    /// A figure of a run: its workload's result (headline or not), counter, or histogram statistic
    /// (`latency.p99`); nil when the workload did not succeed.
    static func figure(_ column: MetricColumn, in summary: RunSummary) -> Double? {
        guard let workload = summary.workloads.first(where: { $0.index == column.workload && $0.plugin == column.plugin }),
              workload.status == "ok"
        else { return nil }
        return lookup(column.figure, in: workload)?.value
    }

    static func lookup(_ figure: String, in workload: WorkloadSummary) -> (value: Double, unit: String)? {
        if let record = workload.results[figure] ?? workload.headline[figure] { return (record.value, record.unit) }
        if let counter = workload.counters[figure] { return (Double(counter), "") }
        let parts = figure.split(separator: ".")
        if parts.count >= 2, let histogram = workload.histograms[parts.dropLast().joined(separator: ".")] {
            let statistic: Double? = switch parts.last! {
            case "mean": histogram.mean
            case "min": histogram.min
            case "p50", "median": histogram.p50
            case "p90": histogram.p90
            case "p99": histogram.p99
            case "p999": histogram.p999
            case "max": histogram.max
            case "count": Double(histogram.count)
            default: nil
            }
            if let statistic { return (statistic, histogram.unit) }
        }
        return nil
    }

    // MARK: - Files

    /// `table.csv`: a row per run.
    public func runsCSV() -> String {
        var header = ["point", "repetition"] + axes.map(\.name) + axes.filter { $0.unit != nil }.map { "\($0.name)_\(Self.unitSuffix($0.unit!))" }
        header += ["seed", "status", "transition", "seconds"] + metrics.map(\.key)
        var lines = [header]
        for run in runs {
            var row = [run.point, "\(run.repetition)"] + run.values
            row += zip(axes, run.numbers).filter { $0.0.unit != nil }.map { Self.number($0.1) }
            row += [run.seed.map(String.init) ?? "", run.status, run.transition ?? "", Self.number(run.seconds)]
            row += run.metrics.map(Self.number)
            lines.append(row)
        }
        return Self.csv(lines)
    }

    /// `medians.csv`: a row per point; for each figure its median, min, max and spread (%).
    public func pointsCSV() -> String {
        var header = ["point"] + axes.map(\.name) + axes.filter { $0.unit != nil }.map { "\($0.name)_\(Self.unitSuffix($0.unit!))" }
        header += ["runs", "succeeded"]
        for metric in metrics { header += [metric.key, "\(metric.key).min", "\(metric.key).max", "\(metric.key).spread_pct"] }
        var lines = [header]
        for point in points {
            var row = [point.point] + point.values
            row += zip(axes, point.numbers).filter { $0.0.unit != nil }.map { Self.number($0.1) }
            row += ["\(point.runs)", "\(point.succeeded)"]
            for statistics in point.statistics {
                row += [Self.number(statistics?.median), Self.number(statistics?.min), Self.number(statistics?.max),
                        Self.number(statistics?.spreadPercent)]
            }
            lines.append(row)
        }
        return Self.csv(lines)
    }

    /// Writes table.csv, medians.csv and table.json into the suite folder (each atomically).
    public func write(to folder: SuiteFolder) throws {
        try AtomicFile.write(Data(runsCSV().utf8), to: "\(folder.path)/table.csv")
        try AtomicFile.write(Data(pointsCSV().utf8), to: "\(folder.path)/medians.csv")
        try AtomicFile.write(try SuiteFolder.encoder.encode(self), to: "\(folder.path)/table.json")
    }

    /// Reads table.json back.
    public static func read(folder: SuiteFolder) throws -> SuiteTable {
        let path = "\(folder.path)/table.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw SuiteError.malformed(path, "missing") }
        do { return try SuiteFolder.decoder.decode(SuiteTable.self, from: data) } catch { throw SuiteError.malformed(path, "\(error)") }
    }

    // MARK: - Support

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    /// `Gbit/s` -> `Gbit_s`, `%` -> `pct`: a unit fit for a column name.
    static func unitSuffix(_ unit: String) -> String {
        unit == "%" ? "pct" : unit.replacingOccurrences(of: "/", with: "_")
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { field in
                field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }
}
