// Lab model / Resolution: turning a direction's merged spec into a concrete `Impairment`: defaults for
// every field, the automatic queue size, and per-direction seeds.

extension LabBuilder {
    /// Default queue in bytes: max(rate x rttReference / 8, 100 x (mtu + 14)), rounded up, at most 4 GiB - 1
    /// (the kernel's 32-bit limit). One bandwidth-delay product of the lab's longest path is enough for a
    /// single TCP flow to fill any link; the floor keeps slow links from dropping short bursts.
    static func automaticQueueBytes(rate: Bitrate, rtt: Duration, mtu: Int) -> UInt64 {
        let nanoseconds = UInt128(max(0, rtt.totalNanoseconds))
        let bdp = (UInt128(rate.bitsPerSecond) * nanoseconds + 7_999_999_999) / 8_000_000_000
        let floor = UInt128(100 * (mtu + 14))
        return UInt64(min(max(bdp, floor), UInt128(UInt32.max)))
    }

    func impairment(_ d: ImpairmentSpec, mtu: Int, link: Int, isA: Bool) -> Impairment {
        let loss: LossModel
        if let model = d.lossModel?.value {
            loss = .gilbertElliott(model)
        } else {
            loss = .random(d.loss?.value ?? .zero, correlation: d.lossCorrelation?.value ?? .zero)
        }
        let rate = d.rate?.value
        var queue = d.queue?.value ?? .auto
        if queue == .auto, let rate {
            queue = .bytes(ByteCount(bytes: Self.automaticQueueBytes(rate: rate, rtt: rttReference, mtu: mtu)))
        }
        return Impairment(
            delay: d.delay?.value ?? .zero,
            jitter: d.jitter?.value ?? .zero,
            distribution: d.distribution?.value ?? .uniform,
            delayCorrelation: d.delayCorrelation?.value ?? .zero,
            loss: loss,
            duplicate: d.duplicate?.value ?? .zero,
            duplicateCorrelation: d.duplicateCorrelation?.value ?? .zero,
            corrupt: d.corrupt?.value ?? .zero,
            corruptCorrelation: d.corruptCorrelation?.value ?? .zero,
            reorder: d.reorder?.value ?? .zero,
            reorderCorrelation: d.reorderCorrelation?.value ?? .zero,
            rate: rate,
            queue: queue,
            aqm: d.aqm?.value ?? .droptail,
            rateTrace: d.rateTrace?.value,
            keepOrder: d.keepOrder?.value ?? true,
            seed: seed(d.seed, link: link, isA: isA))
    }

    /// Seeds, so that no two directions share a random stream by accident:
    /// - a `from_a`/`from_b` seed S: that direction of the i-th link of its line gets S + i;
    /// - a link-level (or timeline `set`) seed S: a -> b gets S + 2i, b -> a gets S + 2i + 1;
    /// - a `defaults.link` seed, or else the lab's `seed`: mixed with the link's position and direction;
    /// - no seed anywhere: nil (the backend seeds randomly).
    func seed(_ setting: Located<UInt64>?, link: Int, isA: Bool) -> UInt64? {
        let i = UInt64(links[link].expansionIndex)
        let direction: UInt64 = isA ? 0 : 1
        if let setting, !setting.path.hasPrefix("defaults") {
            if setting.path.hasSuffix("from_a.seed") || setting.path.hasSuffix("from_b.seed") {
                return setting.value &+ i
            }
            return setting.value &+ 2 &* i &+ direction
        }
        guard let base = setting?.value ?? spec.seed else { return nil }
        return Self.splitMix(base ^ (UInt64(link) &* 2 &+ direction))
    }

    static func splitMix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
