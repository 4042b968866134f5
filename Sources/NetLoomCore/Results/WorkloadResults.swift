import Foundation
import NetLoomPluginAPI

/// Writes one workload's recorded metrics under `workloads/<index>-<plugin>/`:
/// `series.csv` (seconds, series, unit, value), `histograms/<name>.csv` (the CDF:
/// value, unit, fraction of samples at or below) and `tables/<name>.csv`.
enum WorkloadResults {
    static func directory(index: Int, plugin: String) -> String { "workloads/\(index)-\(plugin)" }

    static func write(_ snapshot: MetricsSnapshot, to directory: String, results: ResultsWriter) throws {
        var rows: [[String]] = []
        for (name, series) in snapshot.series.sorted(by: { $0.key < $1.key }) {
            for point in series.points { rows.append([format(point.seconds), name, series.unit, "\(point.value)"]) }
        }
        try results.writeCSV("\(directory)/series.csv", columns: ["seconds", "series", "unit", "value"], rows: rows)
        if !snapshot.histograms.isEmpty {
            try results.makeDirectory("\(directory)/histograms")
            for (name, histogram) in snapshot.histograms {
                let cdf = histogram.cdf().map { ["\($0.seconds)", histogram.unit, String(format: "%.4f", $0.value)] }
                try results.writeCSV("\(directory)/histograms/\(safe(name)).csv", columns: ["value", "unit", "fraction"], rows: cdf)
            }
        }
        if !snapshot.tables.isEmpty {
            try results.makeDirectory("\(directory)/tables")
            for (name, table) in snapshot.tables {
                try results.writeCSV("\(directory)/tables/\(safe(name)).csv", columns: table.columns, rows: table.rows)
            }
        }
    }

    /// A file name from a metric name.
    static func safe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
