// Reports / Analysis: the configured rate of each link direction over the run, from lab.json and the
// timeline as applied (summary.json).

import NetLoomCore
import NetLoomModel

/// The rate a link direction was configured with over the run: the lab's rate from 0 s,
/// then each timeline `set` that succeeded and changed it, from the time it was applied. nil is no
/// rate limit (or a rate trace, which has no single rate).
public struct RateSchedule: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var seconds: Double
        public var bitsPerSecond: UInt64?
    }

    /// Sorted by time; the first is at 0 s.
    public var changes: [Change]

    public init(changes: [Change]) { self.changes = changes }

    /// The rate in effect at a time.
    public func rate(at seconds: Double) -> UInt64? {
        changes.last { $0.seconds <= seconds }?.bitsPerSecond ?? changes.first?.bitsPerSecond
    }

    /// Whether the direction had a rate at any time.
    public var hasRate: Bool { changes.contains { $0.bitsPerSecond != nil } }

    /// The schedules of every link direction, by link name and direction label
    /// (`<a>-><b>`, as links.csv names directions). The lab's `set` events of a link are
    /// paired in order with the `set` entries applied for it (an interrupted run applies
    /// only the first ones); a `set` that failed changed nothing.
    public static func all(lab: ResolvedLab, applied: [AppliedEvent]) -> [String: [String: RateSchedule]] {
        var result: [String: [String: RateSchedule]] = [:]
        for link in lab.links {
            var aToB = [Change(seconds: 0, bitsPerSecond: bits(link.aToB))]
            var bToA = [Change(seconds: 0, bitsPerSecond: bits(link.bToA))]
            let sets = lab.timeline.compactMap { event -> (Impairment, Impairment)? in
                guard event.link == link.name, case .set(let a, let b) = event.action else { return nil }
                return (a, b)
            }
            let done = applied.filter { $0.link == link.name && $0.action.hasPrefix("set") }
            for ((a, b), event) in zip(sets, done) where event.error == nil {
                // A set that leaves the rate as it was (a new delay) is no change of rate.
                if bits(a) != aToB.last?.bitsPerSecond { aToB.append(Change(seconds: event.seconds, bitsPerSecond: bits(a))) }
                if bits(b) != bToA.last?.bitsPerSecond { bToA.append(Change(seconds: event.seconds, bitsPerSecond: bits(b))) }
            }
            result[link.name] = [
                direction(link, aToB: true): RateSchedule(changes: aToB.sorted { $0.seconds < $1.seconds }),
                direction(link, aToB: false): RateSchedule(changes: bToA.sorted { $0.seconds < $1.seconds }),
            ]
        }
        return result
    }

    /// The label links.csv gives a direction: the sending node, `->`, the receiving node.
    public static func direction(_ link: ResolvedLink, aToB: Bool) -> String {
        aToB ? "\(link.a.node)->\(link.b.node)" : "\(link.b.node)->\(link.a.node)"
    }

    static func bits(_ impairment: Impairment) -> UInt64? {
        impairment.rateTrace == nil ? impairment.rate?.bitsPerSecond : nil
    }
}
