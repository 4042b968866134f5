/// How much earlier than their release time a direction hands frames to the socket.
/// Two parts. The engine's own send latency (SendLatencyEstimate, measured on its
/// sends): a frame enters the egress veth that long after its send starts, a step
/// kernel netem does not have. And the worker's lateness: it wakes, notices a due frame
/// and starts its send some microseconds after the target, more on a loaded machine;
/// that part takes back what nearly every send has, and no more: it tracks the 10th
/// percentile of the lateness (a stochastic quantile estimate: up a step after a send
/// that started late or on time, down nine after one that started early), so about one
/// send in ten starts early by a few microseconds and a typical frame never arrives
/// before its time, even when preemption makes the mean lateness large. Bounded by a
/// quarter of the configured delay (never more than 100 us), so a link without delay
/// gets none.
struct ReleaseLead {
    static let maximum: Int64 = 100_000
    static let step: Int64 = 1_000
    /// Early sends move the lead down this many steps: the share of early sends settles at 1 / (1 + this).
    static let earlyWeight: Int64 = 9

    var sendLatency: SendLatencyEstimate
    /// The part that tracks the worker's lateness.
    private(set) var lateness: Int64 = 0
    private(set) var cap: Int64

    /// `measuresSendLatency: false` leaves the send latency at zero (no stamps are asked for).
    init(delay: Duration, measuresSendLatency: Bool = true) {
        sendLatency = SendLatencyEstimate(enabled: measuresSendLatency)
        cap = Self.cap(for: delay)
    }

    /// The whole lead.
    var nanoseconds: Int64 { min(sendLatency.nanoseconds + lateness, cap) }

    static func cap(for delay: Duration) -> Int64 {
        min(max(delay.nanoseconds / 4, 0), maximum)
    }

    mutating func reconfigure(delay: Duration) {
        cap = Self.cap(for: delay)
        lateness = min(lateness, cap)
    }

    /// A frame whose release time was `release` started its send at `sendStart`.
    mutating func record(release: Int64, sendStart: Int64) {
        guard cap > 0 else { return }
        let change = sendStart >= release - sendLatency.nanoseconds ? Self.step : -Self.earlyWeight * Self.step
        lateness = min(max(lateness + change, 0), cap)
    }
}
