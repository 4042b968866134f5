/// How long the engine's own sends take to reach the wire: from the start of an
/// AF_PACKET send until the frame enters the egress veth (the kernel's software
/// transmit stamp, taken in veth_xmit). Kernel netem hands its frame straight to the
/// device; the engine's send copies and allocates first, and on a VM whose vCPU halted
/// that path runs cold: measured here, 1.5 us right after another send, 5 us after a
/// 1 ms pause, 25 us after 20 ms. So it is measured on the sends themselves, not once
/// at start: at most one stamped send per direction per millisecond, and the estimate is
/// the median of the last 15, which follows the traffic's own pace and ignores a send
/// that was preempted.
struct SendLatencyEstimate {
    /// A sample is capped here: more is a preempted send, not the path.
    static let maximum: Int64 = 50_000
    static let interval: Int64 = 1_000_000
    /// Requests in a row that came back without a stamp before sampling stops: a kernel
    /// whose veth_xmit takes no software transmit stamp (6.1 and 6.18 take it). The
    /// send latency is then not taken off the delay.
    static let allowedMisses = 8

    /// The current estimate in nanoseconds; 0 until the first sample.
    private(set) var nanoseconds: Int64 = 0
    /// The last 15 samples, a ring.
    private var samples: InlineArray<15, Int64> = .init(repeating: 0)
    private var count = 0
    private var next = 0
    private var nextSample: Int64 = .min
    private var misses = 0
    private let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// Whether the send starting now should ask for a transmit stamp.
    func wantsStamp(now: Int64) -> Bool {
        enabled && misses < Self.allowedMisses && now >= nextSample
    }

    /// A stamped send started at `sendStart`; `deviceEntry` is its transmit stamp
    /// (CLOCK_MONOTONIC), nil when none came back. True when this miss ends the sampling.
    @discardableResult
    mutating func record(sendStart: Int64, deviceEntry: Int64?) -> Bool {
        nextSample = sendStart + Self.interval
        guard let deviceEntry else {
            misses += 1
            return misses == Self.allowedMisses
        }
        misses = 0
        samples[next] = min(max(deviceEntry - sendStart, 0), Self.maximum)
        next = (next + 1) % samples.count
        count = min(count + 1, samples.count)
        nanoseconds = median()
        return false
    }

    private func median() -> Int64 {
        var sorted = samples
        // Insertion sort of the filled part: at most 15 values, no allocation.
        for i in 1..<max(count, 1) {
            let value = sorted[i]
            var j = i - 1
            while j >= 0 && sorted[j] > value {
                sorted[j + 1] = sorted[j]
                j -= 1
            }
            sorted[j + 1] = value
        }
        return sorted[count / 2]
    }
}
