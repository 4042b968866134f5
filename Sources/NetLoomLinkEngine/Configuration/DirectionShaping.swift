/// The shaping of one direction of one link: the engine's own configuration type (the
/// orchestrator maps the lab model's values to it). Every stage is described in
/// docs/link-engine.md; the defaults forward every frame unchanged.
public struct DirectionShaping: Sendable, Equatable {
    /// One-way delay added after the rate stage.
    public var delay: Duration
    /// Spread of the delay: uniform `delay ± jitter`, or sigma of a table distribution.
    public var jitter: Duration
    public var distribution: DelayDistribution
    /// netem-style correlation of successive delay samples, 0...1.
    public var delayCorrelation: Double
    /// When true (the default) jitter never reorders: a frame is released no earlier
    /// than the frame before it. When false frames may overtake each other, as in netem.
    public var keepOrder: Bool
    public var loss: LossSpec
    /// Probability that a frame is sent twice (netem `duplicate`).
    public var duplicate: Probability
    /// Probability that one bit of a frame is flipped (netem `corrupt`); corrupted frames
    /// are delivered and the receiver's checksum drops them.
    public var corrupt: Probability
    /// Probability that a frame skips the delay stage (netem `reorder`), overtaking
    /// frames still in the delay line.
    public var reorder: Probability
    public var rate: RateSpec
    /// Limit of the rate stage's queue (frames or wire bytes not yet fully served).
    public var queue: QueueLimit
    public var aqm: QueueDiscipline
    /// Seed of this direction's random numbers; 0 takes one from the system.
    public var seed: UInt64

    public init(
        delay: Duration = .zero, jitter: Duration = .zero, distribution: DelayDistribution = .uniform,
        delayCorrelation: Double = 0, keepOrder: Bool = true, loss: LossSpec = .none,
        duplicate: Probability = .never, corrupt: Probability = .never, reorder: Probability = .never,
        rate: RateSpec = .unlimited, queue: QueueLimit? = nil, aqm: QueueDiscipline = .dropTail,
        seed: UInt64 = 0
    ) {
        self.delay = delay
        self.jitter = jitter
        self.distribution = distribution
        self.delayCorrelation = delayCorrelation
        self.keepOrder = keepOrder
        self.loss = loss
        self.duplicate = duplicate
        self.corrupt = corrupt
        self.reorder = reorder
        self.rate = rate
        self.queue = queue ?? QueueLimit.automatic(rate: rate, delay: delay)
        self.aqm = aqm
        self.seed = seed
    }

    /// Forwards every frame unchanged.
    public static let passthrough = DirectionShaping()

    /// Checks ranges and combinations; throws `EngineError.invalidShaping`.
    public func validate() throws(EngineError) {
        func fail(_ why: String) -> EngineError { .invalidShaping(why) }
        if delay < .zero { throw fail("delay must not be negative") }
        if jitter < .zero { throw fail("jitter must not be negative") }
        if jitter > .seconds(2) { throw fail("jitter above 2 s is not supported (netem's limit)") }
        if !(0...1).contains(delayCorrelation) { throw fail("delay correlation must be within 0...1") }
        if delayCorrelation > 0 && jitter == .zero { throw fail("delay correlation without jitter") }
        try loss.validate()
        try duplicate.validate("duplicate")
        try corrupt.validate("corrupt")
        try reorder.validate("reorder")
        if reorder.probability > 0 && delay == .zero { throw fail("reorder needs a delay to reorder against") }
        switch rate {
        case .constant(let bps) where bps == 0: throw fail("a constant rate must be above 0 bit/s")
        default: break
        }
        switch queue {
        case .packets(let n) where n < 1, .bytes(let n) where n < 1:
            throw fail("the queue limit must be at least 1")
        default: break
        }
        if case .codel(let target, let interval) = aqm, target <= .zero || interval <= .zero {
            throw fail("CoDel target and interval must be positive")
        }
    }
}

/// The distribution of jitter: netem's tables (normal, pareto, paretonormal), built
/// the way iproute2 builds them, or uniform.
public enum DelayDistribution: String, Sendable, Equatable, CaseIterable {
    case uniform, normal, pareto, paretonormal
}

/// A probability with netem-style correlation to the previous decision.
public struct Probability: Sendable, Equatable {
    /// 0...1.
    public var probability: Double
    /// 0...1: weight of the previous random value in the next one (netem's `crandom`).
    public var correlation: Double

    public init(_ probability: Double, correlation: Double = 0) {
        self.probability = probability
        self.correlation = correlation
    }

    public static let never = Probability(0)

    func validate(_ what: String) throws(EngineError) {
        if !(0...1).contains(probability) { throw .invalidShaping("\(what) probability must be within 0...1") }
        if !(0...1).contains(correlation) { throw .invalidShaping("\(what) correlation must be within 0...1") }
        if correlation > 0 && probability == 0 { throw .invalidShaping("\(what) correlation without \(what)") }
    }
}

/// How frames are lost.
public enum LossSpec: Sendable, Equatable {
    case none
    /// Independent (or netem-correlated) loss with `probability` per frame.
    case random(probability: Double, correlation: Double = 0)
    /// Gilbert-Elliott two-state model (netem `gemodel`): `p` good->bad and `r`
    /// bad->good transition probabilities, `h` delivery probability in the bad state,
    /// `k` delivery probability in the good state. tc's `gemodel p r 1-h 1-k` takes
    /// the loss probabilities 1-h and 1-k.
    case gilbertElliott(p: Double, r: Double, h: Double, k: Double)

    /// Simple Gilbert: loses every frame in the bad state, none in the good one.
    public static func gilbert(p: Double, r: Double) -> LossSpec { .gilbertElliott(p: p, r: r, h: 0, k: 1) }

    func validate() throws(EngineError) {
        switch self {
        case .none: return
        case .random(let probability, let correlation):
            try Probability(probability, correlation: correlation).validate("loss")
        case .gilbertElliott(let p, let r, let h, let k):
            for (name, value) in [("p", p), ("r", r), ("h", h), ("k", k)] where !(0...1).contains(value) {
                throw .invalidShaping("Gilbert-Elliott \(name) must be within 0...1")
            }
            if p > 0 && r == 0 { throw .invalidShaping("Gilbert-Elliott r = 0 never leaves the bad state") }
        }
    }

    /// The long-run fraction of frames lost.
    public var stationaryLoss: Double {
        switch self {
        case .none: return 0
        case .random(let probability, _): return probability
        case .gilbertElliott(let p, let r, let h, let k):
            if p + r == 0 { return 1 - k }
            let bad = p / (p + r)
            return (1 - bad) * (1 - k) + bad * (1 - h)
        }
    }

    /// The mean length of a run of consecutive losses in the long run (1 for
    /// independent loss at probability 0 < q < 1 is 1 / (1 - q)).
    public var meanBurstLength: Double {
        switch self {
        case .none: return 0
        case .random(let q, _): return q < 1 ? 1 / (1 - q) : .infinity
        case .gilbertElliott(let p, let r, let h, let k):
            // Frame n is lost with the probability of its state; the state of frame
            // n+1 follows the transition. Mean burst = P(loss) / P(no loss, then loss).
            let bad = p + r == 0 ? 0 : p / (p + r)
            let good = 1 - bad
            let lg = 1 - k, lb = 1 - h
            let lossNext = { (fromGood: Bool) -> Double in
                fromGood ? (1 - p) * lg + p * lb : r * lg + (1 - r) * lb
            }
            let pl = good * lg + bad * lb
            let pll = good * lg * lossNext(true) + bad * lb * lossNext(false)
            let starts = pl - pll
            return starts > 0 ? pl / starts : .infinity
        }
    }
}

/// The rate stage.
public enum RateSpec: Sendable, Equatable {
    case unlimited
    /// A constant layer-2 rate in bits per second (Ethernet header included, no FCS or
    /// preamble, like tbf).
    case constant(bitsPerSecond: UInt64)
    /// A Mahimahi packet-delivery trace.
    case mahimahi(MahimahiTrace)
    /// A piecewise-constant rate schedule.
    case steps(StepSchedule)

    /// The rate the queue and buffers are sized for, in bits per second (nil: unlimited).
    var nominalBitsPerSecond: Double? {
        switch self {
        case .unlimited: return nil
        case .constant(let bps): return Double(bps)
        case .mahimahi(let trace): return trace.averageBitsPerSecond
        case .steps(let schedule): return schedule.maximumBitsPerSecond
        }
    }
}

/// The limit of the rate stage's queue.
public enum QueueLimit: Sendable, Equatable {
    case packets(Int)
    /// Wire bytes (GSO frames count every segment's headers).
    case bytes(Int)

    /// The default: the rate's bandwidth-delay product over max(delay, 5 ms) plus
    /// 100 ms of traffic, at least 256 KiB and at most 256 MiB; 10,000 frames when
    /// the rate is unlimited (then nothing queues anyway).
    public static func automatic(rate: RateSpec, delay: Duration) -> QueueLimit {
        guard let bps = rate.nominalBitsPerSecond else { return .packets(10_000) }
        let seconds = max(delay.seconds, 0.005) * 2 + 0.1
        let bytes = bps / 8 * seconds
        return .bytes(Int(min(max(bytes, 256 * 1024), 256 * 1024 * 1024)))
    }
}

/// Active queue management of the rate stage.
public enum QueueDiscipline: Sendable, Equatable {
    case dropTail
    /// CoDel (RFC 8289) on the sojourn time of the rate stage's queue.
    case codel(target: Duration, interval: Duration)

    /// CoDel with the RFC's defaults: target 5 ms, interval 100 ms.
    public static let codelDefault = QueueDiscipline.codel(target: .milliseconds(5), interval: .milliseconds(100))
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns &+ atto / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}
