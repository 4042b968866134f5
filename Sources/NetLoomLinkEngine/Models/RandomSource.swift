import Glibc

/// xoshiro256** seeded through splitmix64: fast, small and reproducible from a seed.
struct RandomSource {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// `seed` 0 takes a seed from the system (getrandom).
    init(seed: UInt64) {
        var x = seed
        if x == 0 {
            var system = SystemRandomNumberGenerator()
            x = system.next() | 1
        }
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&x); s1 = splitmix(&x); s2 = splitmix(&x); s3 = splitmix(&x)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform 32-bit value (netem works on u32 random numbers).
    @inline(__always)
    mutating func next32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// netem's correlated random numbers (`get_crandom`): the next value is a weighted
/// average of a fresh uniform value and the previous result, with weight `rho`.
/// Correlation narrows the spread, so for a probability other than 50 % the long-run
/// rate of events drifts from the configured one; this is netem's documented behaviour.
struct CorrelatedRandom {
    private let rho: UInt64
    private var last: UInt64

    init(correlation: Double, random: inout RandomSource) {
        rho = correlation <= 0 ? 0 : UInt64(fixedPoint32: correlation)
        last = UInt64(random.next32())
    }

    @inline(__always)
    mutating func next(_ random: inout RandomSource) -> UInt32 {
        let value = UInt64(random.next32())
        if rho == 0 { return UInt32(value) }
        let weight = rho + 1
        let answer = (value &* ((1 << 32) - weight) &+ last &* weight) >> 32
        last = answer
        return UInt32(truncatingIfNeeded: answer)
    }
}

/// A probability event as netem decides it: `threshold >= crandom`, never for 0.
struct CorrelatedEvent {
    private let threshold: UInt32
    private var source: CorrelatedRandom

    init(_ probability: Probability, random: inout RandomSource) {
        threshold = probability.probability <= 0 ? 0 : UInt32(truncatingIfNeeded: UInt64(fixedPoint32: probability.probability))
        source = CorrelatedRandom(correlation: probability.correlation, random: &random)
    }

    var isNever: Bool { threshold == 0 }

    @inline(__always)
    mutating func happens(_ random: inout RandomSource) -> Bool {
        threshold != 0 && threshold >= source.next(&random)
    }
}

extension UInt64 {
    /// A fraction 0...1 as tc encodes percentages: rint(f * UINT32_MAX).
    init(fixedPoint32 fraction: Double) {
        self = UInt64((Swift.min(Swift.max(fraction, 0), 1) * Double(UInt32.max)).rounded(.toNearestOrEven))
    }
}
