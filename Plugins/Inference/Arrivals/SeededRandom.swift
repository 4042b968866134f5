import Foundation

/// A small seeded generator (SplitMix64), so a workload with a `seed` draws the same
/// arrival times and lengths every run.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1): never 0, for logarithms.
    mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// A standard normal value (Box-Muller).
    mutating func normal() -> Double {
        sqrt(-2 * log(openUnit())) * cos(2 * Double.pi * unit())
    }

    /// A Gamma(shape, scale) value: Marsaglia and Tsang's method (2000), with the
    /// shape + 1 boost for shapes below 1 (as numpy's `random.gamma` does).
    mutating func gamma(shape: Double, scale: Double) -> Double {
        precondition(shape > 0 && scale > 0)
        if shape < 1 {
            return gamma(shape: shape + 1, scale: scale) * pow(openUnit(), 1 / shape)
        }
        if shape == 1 { return -log(openUnit()) * scale }
        let d = shape - 1.0 / 3.0
        let c = 1 / sqrt(9 * d)
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = openUnit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v * scale }
        }
    }
}
