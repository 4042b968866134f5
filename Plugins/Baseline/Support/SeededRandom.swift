/// A small seeded generator (SplitMix64), so a workload with a `seed` draws the same
/// sizes, pairs and arrival times every run.
struct SeededRandom: RandomNumberGenerator {
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

    /// An exponentially distributed value with the given mean (Poisson gaps).
    mutating func exponential(mean: Double) -> Double { -mean * log1mUnit() }

    /// log(1 - u) for u uniform in [0, 1), never log(0).
    private mutating func log1mUnit() -> Double { Foundation.log(1 - unit()) }
}

import Foundation
