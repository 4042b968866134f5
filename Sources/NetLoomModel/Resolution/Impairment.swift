// Lab model / Resolution: one direction of a link, every field concrete. What the kernel layer and the
// link engine turn into qdiscs or engine settings.

/// Fully resolved shaping of one direction of a link (traffic leaving one endpoint towards the other).
public struct Impairment: Sendable, Hashable, Codable {
    /// One-way delay added to every packet.
    @DurationText public var delay: Duration
    @DurationText public var jitter: Duration
    public var distribution: DelayDistribution
    /// Correlation of successive jitter values.
    public var delayCorrelation: Percent
    public var loss: LossModel
    public var duplicate: Percent
    public var duplicateCorrelation: Percent
    public var corrupt: Percent
    public var corruptCorrelation: Percent
    /// Share of packets sent at once (not delayed), netem's `reorder`.
    public var reorder: Percent
    public var reorderCorrelation: Percent
    /// Layer-2 rate; nil is unlimited (or given by `rateTrace`).
    public var rate: Bitrate?
    /// A concrete `.packets` or `.bytes` limit; `.auto` only when there is no rate (the backend decides).
    public var queue: QueueLimit
    public var aqm: AQM
    /// Absolute path of a Mahimahi or step trace (userspace backend).
    public var rateTrace: String?
    /// Whether jitter keeps packets in order.
    public var keepOrder: Bool
    /// Random seed of this direction; nil when the lab sets none (then random).
    public var seed: UInt64?

    public init(delay: Duration = .zero, jitter: Duration = .zero, distribution: DelayDistribution = .uniform,
                delayCorrelation: Percent = .zero, loss: LossModel = .none,
                duplicate: Percent = .zero, duplicateCorrelation: Percent = .zero,
                corrupt: Percent = .zero, corruptCorrelation: Percent = .zero,
                reorder: Percent = .zero, reorderCorrelation: Percent = .zero,
                rate: Bitrate? = nil, queue: QueueLimit = .auto, aqm: AQM = .droptail, rateTrace: String? = nil,
                keepOrder: Bool = true, seed: UInt64? = nil) {
        self.delay = delay
        self.jitter = jitter
        self.distribution = distribution
        self.delayCorrelation = delayCorrelation
        self.loss = loss
        self.duplicate = duplicate
        self.duplicateCorrelation = duplicateCorrelation
        self.corrupt = corrupt
        self.corruptCorrelation = corruptCorrelation
        self.reorder = reorder
        self.reorderCorrelation = reorderCorrelation
        self.rate = rate
        self.queue = queue
        self.aqm = aqm
        self.rateTrace = rateTrace
        self.keepOrder = keepOrder
        self.seed = seed
    }

    /// Whether this direction is left as a plain veth (no delay, loss, rate or anything else).
    public var isUnshaped: Bool {
        self == Impairment(queue: queue, keepOrder: keepOrder, seed: seed)
    }
}
