/// The kernel's traffic-control units, converted in one place.
enum KernelUnits {
    /// A probability 0...1 as netem's u32 fraction (UINT32_MAX = 100%), rounded like
    /// iproute2's set_percent.
    static func fraction(_ probability: Double) -> UInt32 {
        let clamped = min(max(probability, 0), 1)
        return UInt32((clamped * Double(UInt32.max)).rounded())
    }

    static func probability(_ fraction: UInt32) -> Double {
        Double(fraction) / Double(UInt32.max)
    }

    /// Nanoseconds of a duration (saturating).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// psched ticks (PSCHED_NS2TICKS: 64 ns each), capped at UINT32_MAX.
    static func ticks(_ duration: Duration) -> UInt32 {
        UInt32(clamping: max(nanoseconds(duration), 0) >> 6)
    }

    static func duration(ticks: UInt32) -> Duration {
        .nanoseconds(Int64(ticks) << 6)
    }

    static func bytesPerSecond(_ bitsPerSecond: UInt64) -> UInt64 { bitsPerSecond / 8 }
}
