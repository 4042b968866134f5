/// How much earlier than their release time a direction hands frames to the socket,
/// so that the mean delay the link adds is the configured one. A worker wakes,
/// notices a due frame and starts its send some microseconds after the release time
/// (on a 2-core VM: ~10-20 us mean, outliers of milliseconds when the vCPU is
/// preempted); an integral controller moves the lead until the signed lateness of
/// sends averages zero. Bounded by a quarter of the configured delay (never more
/// than 100 us), so a link without delay gets no lead and a short one is never
/// shortened by more than its own quarter.
struct ReleaseLead {
    static let maximum: Int64 = 100_000
    /// Each sample moves the lead by 1/gain of its error.
    static let gain: Int64 = 16

    private(set) var nanoseconds: Int64 = 0
    private(set) var cap: Int64

    init(delay: Duration) { cap = Self.cap(for: delay) }

    static func cap(for delay: Duration) -> Int64 {
        min(max(delay.nanoseconds / 4, 0), maximum)
    }

    mutating func reconfigure(delay: Duration) {
        cap = Self.cap(for: delay)
        nanoseconds = min(nanoseconds, cap)
    }

    /// A frame whose release time was `release` started its send at `sendStart`.
    mutating func record(release: Int64, sendStart: Int64) {
        guard cap > 0 else { return }
        // A sample beyond twice the cap is an outlier (preemption): it counts as 2 x cap.
        let late = min(max(sendStart - release, -2 * cap), 2 * cap)
        nanoseconds = min(max(nanoseconds + late / Self.gain, 0), cap)
    }
}
