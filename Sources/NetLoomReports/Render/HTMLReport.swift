// Reports / Render: report.html: the run (lab, status, times, machine, backends, phases, timeline), then
// each workload, the network and TCP, every chart as inline SVG. Self-contained: no scripts, no fetches.

import Foundation
import NetLoomCore
import NetLoomModel

/// Renders one page. Charts share a palette (a workload's series, a link direction, a
/// connection keep their colour everywhere) and a time axis from 0 to the end of the run.
struct HTMLReport {
    let report: ResultsReport
    let generated: Date
    var palette = Palette()
    var charts = 0
    let timeSpan: (Double, Double)

    init(report: ResultsReport, generated: Date) {
        self.report = report
        self.generated = generated
        timeSpan = RunMarkers.timeSpan(report.folder)
    }

    var folder: ResultsFolder { report.folder }
    var summary: RunSummary { report.folder.summary }

    mutating func render() -> String {
        let footer = "Times count from the moment the lab was up. Data: summary.json, links.csv, "
            + "tcp.csv and workloads/ in this folder (docs/results.md)."
        return HTMLWriter.page(title: "NetLoom report: \(summary.lab) (\(summary.status.rawValue))",
                               generated: generated, source: folder.path, footer: footer) { html in
            header(&html)
            html.group("main") { html in
                runSection(&html)
                workloadsSection(&html)
                networkSection(&html)
                tcpSection(&html)
                labSection(&html)
            }
        }
    }

    // MARK: - Header and run

    func header(_ html: inout HTMLWriter) {
        html.group("header") { html in
            html.group("h1") { html in
                html.raw(Markup.escape(summary.lab) + " ")
                html.element("span", [("class", "status \(Self.statusClass(summary.status.rawValue))")], text: summary.status.rawValue)
            }
            let seconds = summary.finished.timeIntervalSince(summary.started)
            html.element("p", [("class", "subtitle")],
                         text: "\(summary.file), \(Format.date(summary.started)) to \(Format.date(summary.finished)) (\(Format.seconds(seconds)))")
            html.group("nav") { html in
                var links = [("run", "Run"), ("workloads", "Workloads")]
                links += summary.workloads.map { ("w\($0.index)", "w\($0.index) \($0.plugin)") }
                links += [("network", "Network"), ("tcp", "TCP"), ("lab", "Lab")]
                for (anchor, name) in links { html.element("a", [("href", "#\(anchor)")], text: name) }
            }
        }
    }

    func runSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "run")]) { html in
            html.element("h2", text: "Run")
            if let error = summary.error { html.element("p", [("class", "error")], text: "Error: \(error)") }
            for note in folder.notes { html.element("p", [("class", "note")], text: note) }
            html.group("div", [("class", "columns")]) { html in
                html.group("div") { html in
                    html.element("h4", text: "Run")
                    html.facts([
                        ("lab", summary.lab), ("file", summary.file), ("status", summary.status.rawValue),
                        ("started", Format.date(summary.started)), ("finished", Format.date(summary.finished)),
                        ("duration", Format.seconds(summary.finished.timeIntervalSince(summary.started))),
                        ("workloads", "\(summary.workloads.count)"), ("seed", folder.environment?.seed.map { "\($0)" } ?? folder.lab.seed.map { "\($0)" }),
                        ("command", folder.environment?.commandLine.joined(separator: " ")),
                    ])
                }
                html.group("div") { html in
                    html.element("h4", text: "Machine")
                    if let environment = folder.environment {
                        let machine = environment.machine
                        let missing = machine.qdiscKinds.filter { !$0.value }.keys.sorted()
                        html.facts([
                            ("host", environment.hostname), ("cores", "\(environment.cores)"),
                            ("memory", Format.bytes(environment.memoryBytes)), ("kernel", machine.kernelRelease),
                            ("qdiscs missing", missing.isEmpty ? nil : missing.joined(separator: ", ")),
                            ("libnl", machine.libnlVersion), ("netloom", environment.netloomVersion),
                        ])
                    } else {
                        html.element("p", [("class", "muted")], text: "environment.json is absent.")
                    }
                }
            }

            html.element("h3", text: "Links")
            let backends = folder.environment?.backends ?? [:]
            html.table(["link", "ends", "backend", "why", "a->b", "b->a"], folder.lab.links.map { link in
                let reason = backends[link.name] ?? ""
                let backend = reason.split(separator: ":").first.map(String.init) ?? link.backend.rawValue
                let why = reason.contains(":") ? String(reason.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces) : ""
                return [link.name, "\(link.a) - \(link.b)", backend, why,
                        ImpairmentDescription.describe(link.aToB), ImpairmentDescription.describe(link.bToA)]
            })

            if !summary.phases.isEmpty {
                html.element("h3", text: "Phases")
                html.table(["phase", "duration"], summary.phases.map { [$0.phase, Format.seconds($0.seconds)] }, numeric: [1])
            }

            html.element("h3", text: "Timeline as applied")
            if summary.timeline.isEmpty {
                html.element("p", [("class", "muted")], text: folder.lab.timeline.isEmpty ? "The lab has no timeline." : "No timeline event was applied.")
            } else {
                html.table(["", "at", "link", "action", "result"], summary.timeline.enumerated().map { index, event in
                    ["T\(index + 1)", Format.seconds(event.seconds), event.link, event.action, event.error.map { "failed: \($0)" } ?? "ok"]
                }, numeric: [1])
            }
        }
    }

    // MARK: - Lab file

    func labSection(_ html: inout HTMLWriter) {
        guard let text = folder.labText else { return }
        html.group("section", [("id", "lab")]) { html in
            html.element("h2", text: "Lab file")
            html.group("details") { html in
                html.element("summary", text: "\(summary.file) as given (lab.yaml)")
                html.element("pre", text: text)
            }
        }
    }

    // MARK: - Support

    mutating func nextChartID() -> String {
        charts += 1
        return "chart-\(charts)"
    }

    mutating func chart(_ html: inout HTMLWriter, _ chart: LineChart, caption: String? = nil) {
        html.group("figure") { html in
            html.raw(chart.svg())
            if let caption { html.element("figcaption", text: caption) }
        }
    }

    /// The time axis every chart over time shares.
    var timeAxis: ChartAxis { ChartAxis("time since the lab was up", unit: "s", domain: timeSpan, tickCount: 10) }

    /// Timeline events and every workload's start and end (or one workload's).
    func markers(workload: Int? = nil) -> [ChartMarker] {
        RunMarkers.timeline(summary) + RunMarkers.workloads(summary, only: workload)
    }

    static func statusClass(_ status: String) -> String {
        switch status {
        case "succeeded", "ok": "status-good"
        case "interrupted", "cancelled", "overran": "status-warn"
        default: "status-bad"
        }
    }
}
