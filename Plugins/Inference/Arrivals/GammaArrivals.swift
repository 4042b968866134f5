/// Request arrivals with Gamma-distributed gaps, as vLLM's serving benchmark draws them:
/// shape = burstiness, scale = 1 / (rate x burstiness), so the mean gap is 1 / rate
/// whatever the burstiness. Burstiness 1 is a Poisson process (exponential gaps); below 1
/// arrivals come in bursts (the gaps' coefficient of variation is 1/sqrt(burstiness)),
/// above 1 they are more even.
public struct GammaArrivals: Sendable, Equatable {
    /// Requests per second.
    public var rate: Double
    public var burstiness: Double

    public init(rate: Double, burstiness: Double = 1) {
        precondition(rate > 0 && burstiness > 0)
        self.rate = rate
        self.burstiness = burstiness
    }

    /// The mean gap, seconds.
    public var meanGap: Double { 1 / rate }

    /// Arrival offsets in seconds from the start: the first request leaves at once and
    /// each next one a drawn gap later (as vLLM's benchmark does), so `count` requests
    /// span `count - 1` gaps.
    func offsets(count: Int, random: inout SeededRandom) -> [Double] {
        let scale = 1 / (rate * burstiness)
        var time = 0.0
        var offsets: [Double] = []
        offsets.reserveCapacity(count)
        for index in 0..<count {
            if index > 0 { time += random.gamma(shape: burstiness, scale: scale) }
            offsets.append(time)
        }
        return offsets
    }
}
