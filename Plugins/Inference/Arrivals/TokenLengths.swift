/// How many tokens a request's prompt (or output) has: a fixed count, or uniform within
/// +-spread of it (vLLM's random dataset's `range_ratio`: [n(1 - r), n(1 + r)]).
public struct TokenLengths: Sendable, Equatable {
    public var mean: Int
    /// 0 ... 1: the half-width of the uniform range as a fraction of `mean`.
    public var spread: Double

    public init(mean: Int, spread: Double = 0) {
        self.mean = mean
        self.spread = spread
    }

    public var range: ClosedRange<Int> {
        let low = max(1, Int((Double(mean) * (1 - spread)).rounded()))
        let high = max(low, Int((Double(mean) * (1 + spread)).rounded()))
        return low...high
    }

    func draw(_ random: inout SeededRandom) -> Int {
        let range = self.range
        if range.count == 1 { return range.lowerBound }
        return range.lowerBound + Int(random.next() % UInt64(range.count))
    }
}
