/// Decides, frame by frame, whether a frame is lost.
struct LossModel {
    private enum Kind {
        case none
        case random(CorrelatedEvent)
        /// a1 = p, a2 = r, a3 = h, a4 = 1 - k as u32 thresholds (netem's clgstate).
        case gilbertElliott(p: UInt32, r: UInt32, h: UInt32, lossGood: UInt32, bad: Bool)
    }

    private var kind: Kind

    init(_ spec: LossSpec, random: inout RandomSource) {
        switch spec {
        case .none:
            kind = .none
        case .random(let probability, let correlation):
            kind = probability > 0 ? .random(CorrelatedEvent(Probability(probability, correlation: correlation), random: &random)) : .none
        case .gilbertElliott(let p, let r, let h, let k):
            func u32(_ f: Double) -> UInt32 { UInt32(truncatingIfNeeded: min(UInt64(fixedPoint32: f), UInt64(UInt32.max))) }
            kind = .gilbertElliott(p: u32(p), r: u32(r), h: u32(h), lossGood: u32(1 - k), bad: false)
        }
    }

    var isNone: Bool { if case .none = kind { return true } else { return false } }

    /// netem's `loss_gilb_ell`: the frame is lost with the loss probability of the
    /// current state, and the state then moves for the next frame.
    @inline(__always)
    mutating func lose(_ random: inout RandomSource) -> Bool {
        switch kind {
        case .none:
            return false
        case .random(var event):
            let lost = event.happens(&random)
            kind = .random(event)
            return lost
        case .gilbertElliott(let p, let r, let h, let lossGood, let bad):
            if !bad {
                let moves = random.next32() < p
                let lost = random.next32() < lossGood
                if moves { kind = .gilbertElliott(p: p, r: r, h: h, lossGood: lossGood, bad: true) }
                return lost
            } else {
                let moves = random.next32() < r
                // Delivered with probability h (a3): lost when the draw is at or above it.
                let lost = h == UInt32.max ? false : random.next32() >= h
                if moves { kind = .gilbertElliott(p: p, r: r, h: h, lossGood: lossGood, bad: false) }
                return lost
            }
        }
    }
}
