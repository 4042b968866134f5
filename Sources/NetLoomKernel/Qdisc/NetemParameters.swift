/// A probability with netem's correlation: each draw leans on the previous one by
/// `correlation` (both 0...1).
public struct CorrelatedProbability: Sendable, Equatable, Codable {
    public var probability: Double
    public var correlation: Double

    public init(_ probability: Double = 0, correlation: Double = 0) {
        self.probability = probability
        self.correlation = correlation
    }

    public static let zero = CorrelatedProbability()
}

/// netem's loss models.
public enum NetemLoss: Sendable, Equatable, Codable {
    case none
    /// Independent (or netem-correlated) random loss.
    case random(CorrelatedProbability)
    /// Gilbert-Elliott: `p` = P(good -> bad), `r` = P(bad -> good), and the loss
    /// probability in each state (`tc ... loss gemodel p r 1-h 1-k` takes
    /// lossInBad as "1-h" and lossInGood as "1-k").
    case gilbertElliott(p: Double, r: Double, lossInBad: Double, lossInGood: Double)
}

/// A delay distribution table as netem takes it (TCA_NETEM_DELAY_DIST): signed 16-bit
/// samples of a zero-mean, unit-deviation distribution scaled by NETEM_DIST_SCALE.
/// The kernel keeps it but never reports it back.
public struct NetemDistribution: Sendable, Equatable, Codable {
    public var name: String
    public var table: [Int16]

    public init(name: String, table: [Int16]) {
        self.name = name
        self.table = table
    }
}

/// netem's slotting (TCA_NETEM_SLOT): packets leave in bursts at slot boundaries,
/// like Wi-Fi or DOCSIS media access.
public struct NetemSlot: Sendable, Equatable, Codable {
    public var minimumDelay: Duration
    public var maximumDelay: Duration
    public var maximumPackets: Int32
    public var maximumBytes: Int32

    public init(minimumDelay: Duration, maximumDelay: Duration, maximumPackets: Int32 = 0, maximumBytes: Int32 = 0) {
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.maximumPackets = maximumPackets
        self.maximumBytes = maximumBytes
    }
}

/// Everything a netem qdisc can be told, in real units. `NetemEncoding` converts to
/// the kernel's (ticks, nanoseconds, u32 fractions) in one place.
public struct NetemParameters: Sendable, Equatable, Codable {
    public var delay: Duration = .zero
    public var jitter: Duration = .zero
    public var delayCorrelation: Double = 0
    /// nil = uniform jitter (netem's default without a table).
    public var distribution: NetemDistribution?
    public var loss: NetemLoss = .none
    public var duplicate: CorrelatedProbability = .zero
    /// With this probability a packet is sent at once instead of delayed (`gap` 1).
    public var reorder: CorrelatedProbability = .zero
    public var reorderGap: UInt32 = 0
    public var corrupt: CorrelatedProbability = .zero
    /// netem's own rate limit, in bits per second; nil = none.
    public var rateBitsPerSecond: UInt64?
    public var packetOverhead: Int32 = 0
    /// Packets netem holds (its delay line plus anything queued behind it).
    public var limit: UInt32 = 1000
    public var ecn: Bool = false
    public var slot: NetemSlot?
    /// PRNG seed (TCA_NETEM_PRNG_SEED, Linux 6.3 and later); nil = random.
    public var seed: UInt64?

    public init() {}
}
