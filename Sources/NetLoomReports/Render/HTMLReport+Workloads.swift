// Reports / Render: the page's workload sections: headline figures, series over time, CDFs of the
// recorded distributions, and the plugin's tables.

import Foundation
import NetLoomCore
import NetLoomPluginAPI

extension HTMLReport {
    static let tableRowLimit = 500

    mutating func workloadsSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "workloads")]) { html in
            html.element("h2", text: "Workloads")
            if folder.workloads.isEmpty {
                html.element("p", [("class", "muted")], text: "The lab has no workloads.")
                return
            }
            html.table(
                ["#", "plugin", "nodes", "status", "from", "to", "headline"],
                summary.workloads.map { workload in
                    ["\(workload.index)", workload.plugin, Self.nodes(workload.nodes), workload.status,
                     Format.seconds(workload.started), Format.seconds(workload.finished),
                     workload.headline.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.figure($0.value))" }.joined(separator: ", ")]
                }, numeric: [0, 4, 5])
            overview(&html)
            for workload in folder.workloads { self.workload(&html, workload) }
        }
    }

    /// One chart per series name and unit that more than one workload recorded, every workload's line on it.
    mutating func overview(_ html: inout HTMLWriter) {
        var groups: [(name: String, unit: String, lines: [(WorkloadFiles, [ChartPoint])])] = []
        for workload in folder.workloads {
            for (name, unit) in workload.seriesNames {
                let points = workload.series.filter { $0.series == name }.map { ChartPoint($0.seconds, $0.value) }
                if let i = groups.firstIndex(where: { $0.name == name && $0.unit == unit }) {
                    groups[i].lines.append((workload, points))
                } else {
                    groups.append((name, unit, [(workload, points)]))
                }
            }
        }
        for group in groups where group.lines.count > 1 {
            let series = group.lines.map { workload, points in
                ChartSeries("w\(workload.summary.index) \(workload.summary.plugin)", points: points,
                            color: palette.color(for: "w\(workload.summary.index) \(group.name)"))
            }
            chart(&html, LineChart(
                title: "\(group.name) of every workload", x: timeAxis, y: ChartAxis(group.name, unit: group.unit), series: series,
                markers: markers(), id: nextChartID()))
        }
    }

    mutating func workload(_ html: inout HTMLWriter, _ files: WorkloadFiles) {
        let workload = files.summary
        let name = "w\(workload.index) \(workload.plugin)"
        html.group("article", [("class", "workload"), ("id", "w\(workload.index)")]) { html in
            html.group("h3") { html in
                html.raw(Markup.escape("Workload \(workload.index): \(workload.plugin) on \(Self.nodes(workload.nodes))") + " ")
                html.element("span", [("class", "status \(Self.statusClass(workload.status))")], text: workload.status)
            }
            html.element("p", [("class", "muted")], text: "From \(Format.seconds(workload.started)) to \(Format.seconds(workload.finished)) "
                         + "(\(Format.seconds(workload.finished - workload.started))); files in \(workload.directory)/")
            if let error = workload.error { html.element("p", [("class", "error")], text: error) }

            if !workload.headline.isEmpty {
                html.group("div", [("class", "cards")]) { html in
                    for (key, record) in workload.headline.sorted(by: { $0.key < $1.key }) {
                        html.group("div", [("class", "card")]) { html in
                            html.element("div", [("class", "value")], text: Format.figure(record))
                            html.element("div", [("class", "name")], text: key)
                        }
                    }
                }
            }
            var figures = workload.results.sorted { $0.key < $1.key }.map { [$0.key, Format.figure($0.value)] }
            figures += workload.counters.sorted { $0.key < $1.key }.map { [$0.key + " (counter)", Format.figure(Double($0.value), unit: "")] }
            if !figures.isEmpty {
                html.group("details") { html in
                    html.element("summary", text: "All final figures (\(figures.count))")
                    html.table(["figure", "value"], figures, numeric: [1])
                }
            }

            // Series over time: one chart per unit.
            var units: [String] = []
            for (_, unit) in files.seriesNames where !units.contains(unit) { units.append(unit) }
            for unit in units {
                let names = files.seriesNames.filter { $0.unit == unit }.map(\.name)
                let series = names.map { series in
                    ChartSeries(series, points: files.series.filter { $0.series == series && $0.unit == unit }.map { ChartPoint($0.seconds, $0.value) },
                                color: palette.color(for: "w\(workload.index) \(series)"))
                }
                chart(&html, LineChart(
                    title: "\(name): \(names.joined(separator: ", ")) over time", x: timeAxis,
                    y: ChartAxis(names.count == 1 ? names[0] : "value", unit: unit), series: series,
                    markers: markers(workload: workload.index), id: nextChartID()))
            }
            if files.series.isEmpty { html.element("p", [("class", "muted")], text: "No time series recorded.") }

            histograms(&html, files, name: name)
            for table in files.tables {
                html.element("h4", text: "\(name): table \(table.name)")
                let rows = Array(table.rows.prefix(Self.tableRowLimit))
                let numeric = Set(table.columns.indices.filter { column in
                    rows.allSatisfy { column < $0.count && Double($0[column].trimmingCharacters(in: .whitespaces)) != nil }
                })
                html.table(table.columns, rows, numeric: numeric,
                           caption: table.rows.count > rows.count ? "first \(rows.count) of \(table.rows.count) rows" : nil)
            }
        }
    }

    /// The summary's percentiles of each distribution, and its CDF from histograms/<name>.csv.
    mutating func histograms(_ html: inout HTMLWriter, _ files: WorkloadFiles, name: String) {
        let workload = files.summary
        if !workload.histograms.isEmpty {
            html.element("h4", text: "\(name): distributions")
            html.table(["name", "unit", "count", "mean", "min", "p50", "p90", "p99", "p99.9", "max"],
                       workload.histograms.sorted { $0.key < $1.key }.map { key, h in
                           [key, h.unit, "\(h.count)"] + [h.mean, h.min, h.p50, h.p90, h.p99, h.p999, h.max].map { Format.significant($0, 4) }
                       }, numeric: Set(2...9))
        }
        for histogram in files.histograms {
            let label = workload.histograms.keys.first { Self.fileName($0) == histogram.name } ?? histogram.name
            let series = ChartSeries(label, points: histogram.points.map { ChartPoint($0.value, $0.fraction) },
                                     color: palette.color(for: "w\(workload.index) \(label)"))
            let cdf = CDFChart(title: "\(name): \(label) CDF", quantity: label, unit: histogram.unit, series: [series], id: nextChartID())
            chart(&html, cdf.lineChart)
        }
    }

    /// The file name the runner gives a metric (letters, digits, - _ . kept; anything else _).
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    static func nodes(_ nodes: [String]) -> String {
        nodes.count > 6 ? "\(nodes.prefix(5).joined(separator: ", ")), ... (\(nodes.count) nodes)" : nodes.joined(separator: ", ")
    }
}
