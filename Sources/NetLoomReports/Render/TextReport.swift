// Reports / Render: the digest as terminal text: the run, a table of workloads, the timeline as applied,
// and per-link totals.

import Foundation

public enum TextReport {
    public static func render(_ digest: ReportDigest) -> String {
        var lines: [String] = []
        var head = "run of \(digest.lab) (\(digest.file)): \(digest.status)"
        if let error = digest.error { head += ": \(error)" }
        lines.append(head)
        lines.append("  \(Format.date(digest.started)) to \(Format.date(digest.finished)) (\(Format.seconds(digest.seconds)))")
        if !digest.phases.isEmpty {
            lines.append("  phases: " + digest.phases.map { "\($0.phase) \(Format.seconds($0.seconds))" }.joined(separator: ", "))
        }

        lines.append("")
        lines.append("workloads")
        if digest.workloads.isEmpty {
            lines.append("  none")
        } else {
            var table = TextTable(["#", "PLUGIN", "NODES", "STATUS", "FROM", "TO", "HEADLINE"])
            for workload in digest.workloads {
                let nodes = workload.nodes.count > 4
                    ? "\(workload.nodes.prefix(3).joined(separator: ",")),... (\(workload.nodes.count))"
                    : workload.nodes.joined(separator: ",")
                let headline = workload.headline.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(Format.figure($0.value))" }.joined(separator: ", ")
                table.add(["\(workload.index)", workload.plugin, nodes, workload.status + (workload.error.map { ": \($0)" } ?? ""),
                           Format.seconds(workload.started), Format.seconds(workload.finished), headline])
            }
            lines.append(table.render(indent: "  "))
        }

        if !digest.timeline.isEmpty {
            lines.append("")
            lines.append("timeline (as applied)")
            var table = TextTable(["", "AT", "LINK", "ACTION"])
            for (index, event) in digest.timeline.enumerated() {
                table.add(["T\(index + 1)", Format.seconds(event.seconds), event.link,
                           event.action + (event.error.map { " FAILED: \($0)" } ?? "")])
            }
            lines.append(table.render(indent: "  "))
        }

        lines.append("")
        if let last = digest.links.map(\.seconds).max() {
            lines.append("links (totals at \(Format.seconds(last)))")
            var table = TextTable(["LINK", "DIRECTION", "BACKEND", "RATE", "BYTES", "PACKETS", "DROPS", "MEAN", "PEAK"])
            var previous = ""
            for link in digest.links {
                table.add([link.link == previous ? "" : link.link, link.direction, link.backend,
                           link.rateBitsPerSecond.map { Format.rate(bitsPerSecond: $0) } ?? "-", Format.bytes(link.bytes),
                           "\(link.packets)", "\(link.drops)",
                           link.meanMbps.map(Format.mbps) ?? "-", link.peakMbps.map(Format.mbps) ?? "-"])
                previous = link.link
            }
            lines.append(table.render(indent: "  "))
        } else {
            lines.append("links: no samples in links.csv")
        }
        for note in digest.notes { lines.append("note: \(note)") }
        if let report = digest.report {
            lines.append("")
            lines.append("report: \(report)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Aligned columns for the terminal and logs (the last column is not padded).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "") -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            return indent + cells.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
