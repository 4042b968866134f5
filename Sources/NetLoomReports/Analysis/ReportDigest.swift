// Reports / Analysis: the run in brief, as `netloom report` prints it and as `--json` gives it.

import Foundation
import NetLoomCore
import NetLoomPluginAPI

/// What `netloom report` prints: the run, its workloads with their headline figures, the
/// timeline as applied, and per link direction the totals of the last links.csv sample.
public struct ReportDigest: Codable, Sendable {
    public struct Workload: Codable, Sendable {
        public var index: Int
        public var plugin: String
        public var nodes: [String]
        public var status: String
        public var error: String?
        /// Seconds since the lab came up.
        public var started: Double
        public var finished: Double
        public var headline: [String: ResultRecord]
    }

    public struct LinkDirection: Codable, Sendable {
        public var link: String
        public var direction: String
        public var backend: String
        /// The rate configured at the end of the run, in bits per second (nil: none).
        public var rateBitsPerSecond: UInt64?
        /// From the last sample (cumulative since the lab came up).
        public var seconds: Double
        public var bytes: UInt64
        public var packets: UInt64
        public var drops: UInt64
        public var overlimits: UInt64
        /// Mbit/s from the first sample to the last, and the highest of an interval.
        public var meanMbps: Double?
        public var peakMbps: Double?
    }

    /// The results folder as given.
    public var folder: String
    public var lab: String
    public var file: String
    public var status: String
    public var error: String?
    public var started: Date
    public var finished: Date
    public var seconds: Double
    public var phases: [PhaseTiming]
    public var workloads: [Workload]
    public var timeline: [AppliedEvent]
    public var links: [LinkDirection]
    public var notes: [String]
    /// report.html, when it was written.
    public var report: String?

    public init(folder: ResultsFolder, links: [LinkDirectionUsage], report: String? = nil) {
        let summary = folder.summary
        self.folder = folder.path
        lab = summary.lab
        file = summary.file
        status = summary.status.rawValue
        error = summary.error
        started = summary.started
        finished = summary.finished
        seconds = summary.finished.timeIntervalSince(summary.started)
        phases = summary.phases
        workloads = summary.workloads.map {
            Workload(index: $0.index, plugin: $0.plugin, nodes: $0.nodes, status: $0.status, error: $0.error, started: $0.started,
                     finished: $0.finished, headline: $0.headline)
        }
        timeline = summary.timeline
        self.links = links.compactMap { usage in
            guard let last = usage.last else { return nil }
            return LinkDirection(
                link: usage.link, direction: usage.direction, backend: usage.backend,
                rateBitsPerSecond: usage.schedule?.rate(at: last.seconds), seconds: last.seconds, bytes: last.bytes,
                packets: last.packets, drops: last.drops, overlimits: last.overlimits, meanMbps: usage.meanMbps, peakMbps: usage.peakMbps)
        }
        notes = folder.notes
        self.report = report
    }
}
