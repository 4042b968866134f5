// Reports / Render: a suite's report.html: the suite (lab, axes, runs), each figure against each swept
// field, the medians table, every run with a link to its folder, and the time between runs. Same style
// and rules as a run's page: self-contained, no scripts.

import Foundation
import NetLoomCore
import NetLoomSuites

struct SuitePage {
    let report: SuiteReport
    let generated: Date
    var palette = Palette()

    init(report: SuiteReport, generated: Date) {
        self.report = report
        self.generated = generated
    }

    var table: SuiteTable { report.table }
    var manifest: SuiteManifest { report.manifest }

    mutating func render() -> String {
        let footer = "Data: table.csv (a row per run), medians.csv (a row per point), "
            + "table.json, and a results folder per run under runs/ (docs/suites.md)."
        return HTMLWriter.page(title: "NetLoom suite: \(manifest.suite) (\(report.status))",
                               generated: generated, source: report.folder.path, footer: footer) { html in
            header(&html)
            html.group("main") { html in
                suiteSection(&html)
                figuresSection(&html)
                mediansSection(&html)
                runsSection(&html)
            }
        }
    }

    func header(_ html: inout HTMLWriter) {
        html.group("header") { html in
            html.group("h1") { html in
                html.raw(Markup.escape("suite \(manifest.suite)") + " ")
                let status = report.status
                let kind = status == "completed" ? "status-good" : (status.contains("failures") ? "status-bad" : "status-warn")
                html.element("span", [("class", "status \(kind)")], text: status)
            }
            html.element("p", [("class", "subtitle")],
                         text: "\(manifest.file), lab \(manifest.lab), started \(Format.date(manifest.created))")
            html.group("nav") { html in
                for (anchor, name) in [("suite", "Suite"), ("figures", "Figures"), ("medians", "Medians"), ("runs", "Runs")] {
                    html.element("a", [("href", "#\(anchor)")], text: name)
                }
            }
        }
    }

    func suiteSection(_ html: inout HTMLWriter) {
        let (done, total) = report.progress
        html.group("section", [("id", "suite")]) { html in
            html.element("h2", text: "Suite")
            html.facts([
                ("suite file", manifest.file), ("lab", manifest.labFile.hasPrefix("(") ? "\(manifest.lab) \(manifest.labFile)" : "\(manifest.lab) (\(manifest.labFile))"),
                ("points", "\(manifest.points.count)"), ("repetitions", "\(manifest.repetitions)"),
                ("runs", "\(done) of \(total) done"), ("order", manifest.order.rawValue),
                ("seed", manifest.seed.map { "\($0) (each run's seed is in the runs table)" }),
            ])
            html.element("h3", text: "Axes")
            html.table(["axis", "path", "lab field", "values"], manifest.axes.map { axis in
                [axis.name, axis.path, axis.field, axis.values.joined(separator: ", ")]
            })
            let between = SuiteReport.overheads(report.records.values)
            if !between.isEmpty { html.element("p", [("class", "muted")], text: between.prefix(1).uppercased() + between.dropFirst() + ".") }
        }
    }

    mutating func figuresSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "figures")]) { html in
            html.element("h2", text: "Figures against the swept fields")
            if table.metrics.isEmpty {
                html.element("p", [("class", "muted")], text: "No run has finished with figures yet.")
                return
            }
            let categorical = table.axes.filter { $0.unit == nil }.map(\.name)
            if !categorical.isEmpty {
                html.element("p", [("class", "muted")], text: "Not charted (their values are names, not quantities): "
                             + categorical.joined(separator: ", ") + "; see the medians table.")
            }
            if table.axes.allSatisfy({ $0.unit == nil }) { return }
            html.element("p", [("class", "muted")], text: "Lines join the medians over the repetitions of each point; "
                         + "circles are single runs. One line per combination of the other fields.")
            let charts = SuiteCharts.charts(table, palette: &palette)
            var current = -1
            for chart in charts {
                if chart.metric != current {
                    current = chart.metric
                    let metric = table.metrics[current]
                    html.element("h3", [("id", "m-\(current)")], text: "\(metric.key)\(metric.unit.isEmpty ? "" : " (\(metric.unit))")")
                }
                html.group("figure") { html in
                    html.raw(chart.chart.svg())
                    if chart.omitted > 0 {
                        html.element("figcaption", text: "\(chart.omitted) more combinations of the other fields are not drawn.")
                    }
                }
            }
        }
    }

    func mediansSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "medians")]) { html in
            html.element("h2", text: "Medians")
            html.element("p", [("class", "muted")], text: "Per point: the median of each figure over its repetitions, with [min, max].")
            let header = ["point"] + table.axes.map(\.name) + ["runs ok"] + table.metrics.map { "\($0.key) (\($0.unit))" }
            let rows = table.points.map { point in
                [point.point] + point.values + ["\(point.succeeded)/\(point.runs)"] + point.statistics.map { statistics in
                    guard let statistics else { return "-" }
                    let median = Format.significant(statistics.median, 4)
                    guard statistics.count > 1, statistics.min != statistics.max else { return median }
                    return "\(median) [\(Format.significant(statistics.min, 4)), \(Format.significant(statistics.max, 4))]"
                }
            }
            let first = 2 + table.axes.count
            html.table(header, rows, numeric: Set(first..<(first + table.metrics.count)))
        }
    }

    func runsSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "runs")]) { html in
            html.element("h2", text: "Runs")
            html.group("div", [("class", "table-wrap")]) { html in
                html.group("table") { html in
                    html.group("thead") { html in
                        html.group("tr") { html in
                            for name in ["run", "point"] + table.axes.map(\.name) + ["status", "lab", "seconds", "seed"] {
                                html.element("th", text: name)
                            }
                        }
                    }
                    html.group("tbody") { html in
                        for run in table.runs {
                            html.group("tr") { html in
                                html.group("td") { html in
                                    if run.status == "pending" {
                                        html.raw(Markup.escape(Self.runName(run.folder)))
                                    } else {
                                        html.element("a", [("href", "\(run.folder)/")], text: Self.runName(run.folder))
                                    }
                                }
                                html.element("td", text: run.point)
                                for value in run.values { html.element("td", text: value) }
                                let kind = run.status == "succeeded" ? "status-good" : (run.status == "pending" ? "" : "status-bad")
                                html.group("td") { html in
                                    html.element("span", [("class", "status \(kind)")], text: run.status)
                                }
                                let record = report.records[run.folder]
                                html.element("td", [("title", record?.transitionDetail ?? "")], text: run.transition ?? "")
                                html.element("td", [("class", "num")], text: run.seconds.map { Format.seconds($0) } ?? "")
                                html.element("td", [("class", "num")], text: run.seed.map(String.init) ?? "")
                            }
                        }
                    }
                }
            }
        }
    }

    /// `runs/p01-r1` -> `p01-r1`.
    static func runName(_ folder: String) -> String {
        String(folder.split(separator: "/").last ?? Substring(folder))
    }
}
