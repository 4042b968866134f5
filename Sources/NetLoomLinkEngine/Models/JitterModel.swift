/// Samples the delay of one frame as netem's `tabledist` does: uniform over
/// `delay ± jitter`, or `delay + jitter * t / 8192` for a table value t, with netem's
/// correlation between successive samples. Negative results become 0.
struct JitterModel {
    private let mu: Int64
    private let sigma: Int64
    private let table: [Int16]?
    private var source: CorrelatedRandom

    init(delay: Duration, jitter: Duration, distribution: DelayDistribution, correlation: Double, random: inout RandomSource) {
        mu = delay.nanoseconds
        sigma = jitter.nanoseconds
        table = DistributionTables.table(for: distribution)
        source = CorrelatedRandom(correlation: correlation, random: &random)
    }

    var isConstant: Bool { sigma == 0 }

    /// A delay in nanoseconds, never negative.
    @inline(__always)
    mutating func sample(_ random: inout RandomSource) -> Int64 {
        if sigma == 0 { return mu }
        let rnd = Int64(source.next(&random))
        let value: Int64
        if let table {
            let t = Int64(table[Int(rnd) % table.count])
            let scale = DistributionTables.scale
            var x = (sigma % scale) * t
            x += x >= 0 ? scale / 2 : -scale / 2
            value = x / scale + (sigma / scale) * t + mu
        } else {
            value = rnd % (2 * sigma) + mu - sigma
        }
        return max(value, 0)
    }
}
