// Reports / Analysis: the marks every time chart carries (timeline events, workload starts and ends),
// and the run's time span, so charts line up.

import Foundation
import NetLoomCore

public enum RunMarkers {
    /// A mark per applied timeline event: "T1 wan set", with the full action on hover.
    public static func timeline(_ summary: RunSummary) -> [ChartMarker] {
        summary.timeline.enumerated().map { index, event in
            let verb = event.action.split(separator: " ").first.map(String.init) ?? event.action
            let label = "T\(index + 1) \(event.link) \(event.error == nil ? verb : "\(verb) FAILED")"
            var detail = "T\(index + 1) at \(Format.seconds(event.seconds)): \(event.link): \(event.action)"
            if let error = event.error { detail += " (failed: \(error))" }
            return ChartMarker(x: event.seconds, label: label, detail: detail, kind: .event)
        }
    }

    /// Marks at the start and end of workloads (`only` one of them, or all).
    public static func workloads(_ summary: RunSummary, only index: Int? = nil) -> [ChartMarker] {
        summary.workloads.filter { index == nil || $0.index == index }.flatMap { workload in
            let name = "w\(workload.index)"
            let what = "workload \(workload.index) (\(workload.plugin))"
            return [
                ChartMarker(x: workload.started, label: "\(name) start", detail: "\(what) started at \(Format.seconds(workload.started))",
                            kind: .workload),
                ChartMarker(x: workload.finished, label: "\(name) end",
                            detail: "\(what) ended \(workload.status) at \(Format.seconds(workload.finished))", kind: .workload),
            ]
        }
    }

    /// From 0 (the lab up) to the last thing recorded: every chart with time on x uses it.
    public static func timeSpan(_ folder: ResultsFolder) -> (Double, Double) {
        var end = 0.0
        end = max(end, folder.events.map(\.seconds).max() ?? 0)
        end = max(end, folder.links.last?.seconds ?? 0, folder.tcp.last?.seconds ?? 0)
        end = max(end, folder.summary.workloads.map(\.finished).max() ?? 0)
        end = max(end, folder.summary.timeline.map(\.seconds).max() ?? 0)
        for workload in folder.workloads { end = max(end, workload.series.map(\.seconds).max() ?? 0) }
        return (0, end > 0 ? end : 1)
    }
}
