/// Samples the delay of one frame as netem's `tabledist` does: uniform over
/// `delay ± jitter`, or `delay + jitter * t / 8192` for a table value t, with netem's
/// correlation between successive samples (`crandom`). Negative results become 0.
///
/// One deliberate difference: netem maps the correlated random number to the range or
/// the table index with a modulo, which keeps only its low bits and so discards the
/// correlation; here the high bits choose (`rnd * n >> 32`), so a correlated random
/// number gives a correlated delay, as the documentation of `delay ... correlation` says.
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
            let t = Int64(table[Int((rnd &* Int64(table.count)) >> 32)])
            let scale = DistributionTables.scale
            var x = (sigma % scale) * t
            x += x >= 0 ? scale / 2 : -scale / 2
            value = x / scale + (sigma / scale) * t + mu
        } else {
            value = Int64((UInt64(rnd) &* UInt64(2 * sigma)) >> 32) + mu - sigma
        }
        return max(value, 0)
    }
}
