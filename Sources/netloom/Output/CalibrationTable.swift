import Foundation
import NetLoomCore

/// The calibration as a table: a row per measurement, the link and its backend on its first row.
enum CalibrationText {
    static func render(_ report: CalibrationReport) -> String {
        var text = "calibration of \(report.lab) (\(report.file)): kernel \(report.kernel), sch_netem \(report.netem ? "present" : "absent"), "
            + "\(report.cores) cores"
        if let baseline = report.baselineBitsPerSecond {
            text += "; TCP over an unshaped veth here: \(rate(baseline / 1e6))"
        }
        text += "\n\n"
        var table = Table("LINK", "BACKEND", "MEASURE", "CONFIGURED", "EXPECTED", "MEASURED", "ERROR", "TOLERANCE", "VERDICT")
        for link in report.links {
            for (index, row) in link.measurements.enumerated() {
                let first = index == 0
                let verdict: String = switch row.verdict {
                case .ok: "ok"
                case .outside: "OUTSIDE"
                case .unchecked: "not checked"
                case .failed: "FAILED"
                }
                table.add(
                    first ? link.link : "", first ? link.backend : "", row.quantity, value(row.configured, row.unit),
                    value(row.expected, row.unit), value(row.measured, row.unit),
                    row.relativeError.map { String(format: "%+.1f%%", $0 * 100) } ?? "", row.tolerance,
                    verdict + (row.verdict == .ok ? "" : row.note.map { ": \($0)" } ?? ""))
            }
        }
        text += table.render(indent: "  ")
        let outside = report.links.filter { !$0.withinTolerance }
        let count = report.links.flatMap(\.measurements).count
        text += "\n\n\(report.links.count) link\(report.links.count == 1 ? "" : "s"), \(count) measurements: "
        text += outside.isEmpty ? "every one within tolerance"
            : "\(report.problems) outside tolerance or failed, on \(outside.map(\.link).joined(separator: ", "))"
        text += "\nRTT is the round trip of UDP probes (expected: the one-way delays of both directions, plus the probes' serialization); "
            + "goodput is TCP payload (expected: the rate's payload share); loss counts UDP datagrams each way."
        return text
    }

    static func value(_ value: Double?, _ unit: String) -> String {
        guard let value else { return "-" }
        switch unit {
        case "Mbit/s": return rate(value)
        case "ms": return String(format: value < 10 ? "%.3f ms" : "%.2f ms", value)
        case "%": return String(format: "%.3f%%", value)
        default: return String(format: "%.4g %@", value, unit)
        }
    }

    static func rate(_ mbps: Double) -> String {
        mbps >= 1000 ? String(format: "%.3g Gbit/s", mbps / 1000) : String(format: "%.4g Mbit/s", mbps)
    }
}
