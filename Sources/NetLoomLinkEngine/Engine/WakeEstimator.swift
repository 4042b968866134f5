/// When a worker must wake before a release time. On virtual machines a long sleep
/// overshoots by far more than a short one (measured here: a 200 us epoll timeout
/// wakes ~10 us late, a 20 ms one ~150 us, p99 ~350 us: the idle vCPU halts and the
/// host is slow to resume it). So a wait is split in stages: a long sleep that ends
/// `guard` early, then short sleeps, then a spin of `spin` before the release. The
/// guard follows the measured overshoot of long sleeps (mean + 4 deviations, as TCP
/// estimates its retransmission timeout), so quiet bare-metal machines spin and
/// sleep early by little and noisy VMs by what they need.
struct WakeEstimator {
    /// Sleeps up to this long are taken as on time; longer ones are split.
    static let shortSleep: Int64 = 150_000
    static let minimumGuard: Int64 = 20_000
    static let maximumGuard: Int64 = 2_000_000

    let spin: Int64
    private(set) var meanOvershoot: Int64 = 100_000
    private(set) var deviation: Int64 = 50_000

    init(spin: Int64) { self.spin = spin }

    /// How much earlier than a release a long sleep ends.
    var guardNanoseconds: Int64 {
        min(max(meanOvershoot + 4 * deviation, Self.minimumGuard), Self.maximumGuard)
    }

    /// The epoll timeout for a release `left` nanoseconds away: 0 inside the spin
    /// window, the whole wait up to it when that is short, else a long sleep that ends
    /// `guard` before the window (but at least a short sleep's length).
    func timeout(left: Int64) -> Int64 {
        if left <= spin { return 0 }
        let wait = left - spin
        if wait <= Self.shortSleep { return wait }
        return max(wait - guardNanoseconds, Self.shortSleep)
    }

    /// A long sleep of `requested` nanoseconds timed out `overshoot` nanoseconds late.
    mutating func record(requested: Int64, overshoot: Int64) {
        guard requested > Self.shortSleep else { return }
        let sample = min(max(overshoot, 0), Self.maximumGuard)
        let error = sample - meanOvershoot
        meanOvershoot += error / 8
        deviation += (abs(error) - deviation) / 4
    }
}
