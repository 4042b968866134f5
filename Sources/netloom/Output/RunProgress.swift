import Foundation
import NetLoomCore
import Synchronization

/// The live progress of `netloom run`: one redrawn line on a terminal (phase, elapsed
/// and remaining time, each workload's latest figure), plain lines otherwise.
final class RunProgress: Sendable {
    let quiet: Bool
    let terminal = isatty(STDERR_FILENO) == 1
    private let phase = Mutex("starting")
    private let lastPlainLine = Mutex<ContinuousClock.Instant?>(nil)

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ event: RunEvent) {
        guard !quiet else { return }
        switch event {
        case .phase(let name):
            phase.withLock { $0 = name }
            line("==> \(name)", permanent: true)
        case .workloadStarted(let index, let plugin):
            line("    workload \(index) (\(plugin)) started", permanent: true)
        case .workloadFinished(let index, let plugin, let status):
            line("    workload \(index) (\(plugin)) \(status)", permanent: true)
        case .timeline(let text):
            line("    timeline: \(text)", permanent: true)
        case .tick(let elapsed, let total, let figures):
            var text = "    \(phase.withLock { $0 }) \(Units.duration(rounded(elapsed)))"
            if let total { text += " of \(Units.duration(total)), \(Units.duration(rounded(max(total - elapsed, .zero)))) left" }
            if !figures.isEmpty {
                text += "  |  " + figures.map { "\($0.workload): \($0.name) \(figure($0.value)) \($0.unit)" }.joined(separator: "  |  ")
            }
            if terminal {
                line(text, permanent: false)
            } else {
                // Plain output (a log): at most one progress line every 10 s.
                let now = ContinuousClock.now
                let due = lastPlainLine.withLock { last -> Bool in
                    guard last.map({ now - $0 >= .seconds(10) }) ?? true else { return false }
                    last = now
                    return true
                }
                if due { line(text, permanent: true) }
            }
        }
    }

    func note(_ text: String) { if !quiet { line(text, permanent: true) } }

    func finish() { if terminal && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }

    private func line(_ text: String, permanent: Bool) {
        let prefix = terminal ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + text + (permanent || !terminal ? "\n" : "")).utf8))
    }

    private func rounded(_ duration: Duration) -> Duration { .seconds(duration.components.seconds) }
}

/// What `netloom run` prints at the end.
enum RunReport {
    static func render(_ outcome: RunOutcome) -> String {
        let summary = outcome.summary
        var text = "run of \(summary.lab): \(summary.status.rawValue)"
        if let error = summary.error { text += " (\(error))" }
        text += "\n\n"
        var table = Table("WORKLOAD", "PLUGIN", "NODES", "STATUS", "HEADLINE")
        for workload in summary.workloads {
            let headline = workload.headline.sorted { $0.key < $1.key }
                .map { "\($0.key) \(figure($0.value.value)) \($0.value.unit)" }.joined(separator: ", ")
            let nodes = workload.nodes.count > 4 ? "\(workload.nodes.prefix(3).joined(separator: ",")),... (\(workload.nodes.count))" : workload.nodes.joined(separator: ",")
            table.add("\(workload.index)", workload.plugin, nodes, workload.status + (workload.error.map { ": \($0)" } ?? ""), headline)
        }
        text += table.render(indent: "  ")
        if let path = outcome.resultsPath {
            text += "\n\nresults: \(path)\n  netloom report \(path)"
        }
        return text
    }
}

/// A figure for a table: four significant digits, no exponent for large values.
func figure(_ value: Double) -> String {
    abs(value) >= 10_000 ? String(format: "%.0f", value) : String(format: "%.4g", value)
}
