/// Mean, median and percentiles of a sample, as numpy computes them (linear
/// interpolation between closest ranks), which is what vLLM's benchmark reports.
public struct Statistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var p90: Double
    public var p99: Double
    public var min: Double
    public var max: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = Self.percentile(sorted, 50)
        p90 = Self.percentile(sorted, 90)
        p99 = Self.percentile(sorted, 99)
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// numpy.percentile's default ("linear"): rank (n - 1) p / 100, interpolated.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let rank = Double(sorted.count - 1) * p / 100
        let low = Int(rank.rounded(.down))
        let high = Swift.min(low + 1, sorted.count - 1)
        let weight = rank - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * weight
    }
}
