// Reports / Analysis: what each link direction carried, from links.csv's cumulative counters: rate per
// sampling interval, share of the configured rate, drops per second, and totals.

import Foundation

/// One direction of one link over the run.
public struct LinkDirectionUsage: Sendable {
    public var link: String
    /// `<sender>-><receiver>`.
    public var direction: String
    public var backend: String
    /// Its samples, in time order.
    public var samples: [LinkSample]
    /// The configured rate over the run (nil when lab.json does not know the link).
    public var schedule: RateSchedule?
    /// Mbit/s over each interval between two samples, stamped at the interval's end (bytes delta * 8 / interval).
    public var throughput: [ChartPoint]
    /// The same as % of the rate configured at the middle of each interval (empty without a rate).
    public var utilization: [ChartPoint]
    /// Packets dropped per second over each interval.
    public var dropsPerSecond: [ChartPoint]

    /// The last sample: the totals.
    public var last: LinkSample? { samples.last }

    /// Mbit/s from the first sample to the last.
    public var meanMbps: Double? {
        guard let first = samples.first, let last = samples.last, last.seconds > first.seconds else { return nil }
        return Double(Self.delta(last.bytes, first.bytes)) * 8 / 1e6 / (last.seconds - first.seconds)
    }

    /// The highest rate of an interval.
    public var peakMbps: Double? { throughput.map(\.y).max() }

    /// Counters are cumulative; one that went backwards was reset and counts from 0.
    static func delta(_ current: UInt64, _ previous: UInt64) -> UInt64 {
        current >= previous ? current - previous : current
    }

    init(link: String, direction: String, samples: [LinkSample], schedule: RateSchedule?) {
        self.link = link
        self.direction = direction
        self.samples = samples
        self.schedule = schedule
        backend = samples.last?.backend ?? ""
        throughput = []
        utilization = []
        dropsPerSecond = []
        for (previous, current) in zip(samples, samples.dropFirst()) {
            let interval = current.seconds - previous.seconds
            guard interval > 0 else { continue }
            let mbps = Double(Self.delta(current.bytes, previous.bytes)) * 8 / 1e6 / interval
            throughput.append(ChartPoint(current.seconds, mbps))
            dropsPerSecond.append(ChartPoint(current.seconds, Double(Self.delta(current.drops, previous.drops)) / interval))
            if let rate = schedule?.rate(at: (previous.seconds + current.seconds) / 2), rate > 0 {
                utilization.append(ChartPoint(current.seconds, mbps * 1e6 / Double(rate) * 100))
            }
        }
    }

    /// Every direction in links.csv: the lab's links in lab order (a->b, then b->a), then
    /// any link lab.json does not have.
    public static func all(_ folder: ResultsFolder) -> [LinkDirectionUsage] {
        var byDirection: [String: [LinkSample]] = [:]
        var seen: [(String, String)] = []
        for sample in folder.links {
            let key = "\(sample.link)\u{0}\(sample.direction)"
            if byDirection[key] == nil { seen.append((sample.link, sample.direction)) }
            byDirection[key, default: []].append(sample)
        }
        let schedules = RateSchedule.all(lab: folder.lab, applied: folder.summary.timeline)
        var order: [(String, String)] = []
        for link in folder.lab.links {
            for aToB in [true, false] { order.append((link.name, RateSchedule.direction(link, aToB: aToB))) }
        }
        let known = Set(order.map { "\($0.0)\u{0}\($0.1)" })
        order += seen.filter { !known.contains("\($0.0)\u{0}\($0.1)") }
        return order.compactMap { link, direction in
            guard let samples = byDirection["\(link)\u{0}\(direction)"] else { return nil }
            return LinkDirectionUsage(
                link: link, direction: direction, samples: samples.sorted { $0.seconds < $1.seconds },
                schedule: schedules[link]?[direction])
        }
    }
}
