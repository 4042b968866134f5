/// The rate stage as a serialization model in virtual time: a frame of W wire bytes
/// starts service at max(arrival, when the link is free) and `serve` returns when its
/// last bit has left. Nothing sleeps; the release scheduler waits for the result.
struct RateServer {
    private enum Kind {
        case unlimited
        /// Exact integer arithmetic: `carry` keeps the remainder of bits * 1e9 / R.
        case constant(bitsPerSecond: UInt64, carry: UInt64)
        case trace(TraceCursor)
        case steps(StepCursor)
    }

    private var kind: Kind
    /// When the last admitted frame's service ends (the link is busy until then).
    private(set) var freeAt: Int64

    init(_ spec: RateSpec, epoch: Int64, freeAt: Int64 = .min) {
        self.freeAt = freeAt
        switch spec {
        case .unlimited: kind = .unlimited
        case .constant(let bps): kind = .constant(bitsPerSecond: bps, carry: 0)
        case .mahimahi(let trace): kind = .trace(TraceCursor(trace, epoch: epoch))
        case .steps(let schedule): kind = .steps(StepCursor(schedule, epoch: epoch))
        }
    }

    var isUnlimited: Bool { if case .unlimited = kind { return true } else { return false } }

    /// When a frame arriving at `arrival` would start service.
    @inline(__always)
    func serviceStart(arrival: Int64) -> Int64 { max(arrival, freeAt) }

    /// Serves `bytes` starting at `start` (from `serviceStart`) and returns the end.
    @inline(__always)
    mutating func serve(start: Int64, bytes: Int) -> Int64 {
        let end: Int64
        switch kind {
        case .unlimited:
            end = start
        case .constant(let bps, var carry):
            if start > freeAt { carry = 0 }  // the link was idle: no fraction owed
            let numerator = UInt64(bytes) * 8 * 1_000_000_000 + carry
            end = start + Int64(numerator / bps)
            kind = .constant(bitsPerSecond: bps, carry: numerator % bps)
        case .trace(var cursor):
            end = cursor.serve(start: start, bytes: bytes)
            kind = .trace(cursor)
        case .steps(var cursor):
            end = cursor.serve(start: start, bytes: bytes)
            kind = .steps(cursor)
        }
        freeAt = end
        return end
    }
}

/// Walks a Mahimahi trace: `index` is the absolute number of the current delivery
/// opportunity (cycle * count + position), `left` the bytes it can still carry.
struct TraceCursor {
    private let stamps: [Int64]      // nanoseconds within one period
    private let period: Int64
    private let epoch: Int64
    private var index: Int64 = -1
    private var left = 0

    init(_ trace: MahimahiTrace, epoch: Int64) {
        stamps = trace.timestamps.map { Int64($0) * 1_000_000 }
        period = Int64(trace.periodMilliseconds) * 1_000_000
        self.epoch = epoch
    }

    private func time(of index: Int64) -> Int64 {
        let n = Int64(stamps.count)
        return epoch + (index / n) * period + stamps[Int(index % n)]
    }

    /// The first opportunity at or after `t`.
    private func firstOpportunity(atOrAfter t: Int64) -> Int64 {
        let n = Int64(stamps.count)
        let offset = max(t - epoch, 0)
        var cycle = offset / period
        let within = offset - cycle * period
        // Binary search for the first stamp >= within in this cycle.
        var lo = 0, hi = stamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if stamps[mid] < within { lo = mid + 1 } else { hi = mid }
        }
        if lo == stamps.count { cycle += 1; lo = 0 }
        return cycle * n + Int64(lo)
    }

    mutating func serve(start: Int64, bytes: Int) -> Int64 {
        // Leftover bytes of the current opportunity serve only a frame already waiting
        // when it occurs; otherwise it was wasted and the next one at or after `start` counts.
        if index < 0 || left == 0 || time(of: index) < start {
            index = max(firstOpportunity(atOrAfter: start), index + (left == 0 && index >= 0 ? 1 : 0))
            left = MahimahiTrace.bytesPerOpportunity
        }
        var remaining = bytes
        while remaining > left {
            remaining -= left
            index += 1
            left = MahimahiTrace.bytesPerOpportunity
        }
        left -= remaining
        return time(of: index)
    }
}

/// Walks a piecewise-constant rate schedule (holding the last rate).
struct StepCursor {
    private let starts: [Int64]   // absolute nanoseconds
    private let rates: [Double]   // bits per second

    init(_ schedule: StepSchedule, epoch: Int64) {
        starts = schedule.steps.map { epoch + $0.at.nanoseconds }
        rates = schedule.steps.map { Double($0.bitsPerSecond) }
    }

    mutating func serve(start: Int64, bytes: Int) -> Int64 {
        var bits = Double(bytes * 8)
        var t = start
        var i = 0
        while i + 1 < starts.count && starts[i + 1] <= t { i += 1 }
        while true {
            let rate = rates[i]
            let boundary = i + 1 < starts.count ? starts[i + 1] : Int64.max
            if rate > 0 {
                let needed = bits / rate * 1e9
                if boundary == .max || Double(t) + needed <= Double(boundary) {
                    return t + Int64(needed.rounded(.up))
                }
                bits -= Double(boundary - t) * rate / 1e9
            }
            t = boundary
            i += 1
        }
    }
}
