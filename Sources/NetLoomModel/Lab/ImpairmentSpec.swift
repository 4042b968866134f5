// Lab model / Lab: the shaping of one direction of a link, as written (every field optional).

/// One direction's impairments as written in one place of a lab file (`defaults.link`, a link, a link's
/// `from_a`/`from_b`, a timeline `set`). Unset fields fall through to the layer below; see `overlaid(by:)`.
public struct ImpairmentSpec: Sendable, Codable, Equatable {
    public var delay: Located<Duration>?
    public var jitter: Located<Duration>?
    public var distribution: Located<DelayDistribution>?
    public var delayCorrelation: Located<Percent>?
    public var loss: Located<Percent>?
    public var lossCorrelation: Located<Percent>?
    public var lossModel: Located<GilbertElliott>?
    public var duplicate: Located<Percent>?
    public var duplicateCorrelation: Located<Percent>?
    public var corrupt: Located<Percent>?
    public var corruptCorrelation: Located<Percent>?
    public var reorder: Located<Percent>?
    public var reorderCorrelation: Located<Percent>?
    public var rate: Located<Bitrate>?
    public var queue: Located<QueueLimit>?
    public var aqm: Located<AQM>?
    /// Path of a rate trace, already made absolute against the lab file's folder.
    public var rateTrace: Located<String>?
    public var keepOrder: Located<Bool>?
    public var seed: Located<UInt64>?

    public init() {}

    /// The lab-file keys of a direction, in documentation order.
    public static let keys = [
        "delay", "jitter", "distribution", "delay_correlation",
        "loss", "loss_correlation", "loss_model",
        "duplicate", "duplicate_correlation", "corrupt", "corrupt_correlation",
        "reorder", "reorder_correlation",
        "rate", "queue", "aqm", "rate_trace", "keep_order", "seed",
    ]

    /// This spec with every field that `upper` sets replaced by `upper`'s value.
    ///
    /// `loss` and `loss_model` are one slot (setting either replaces both below), and so are `rate` and
    /// `rate_trace`: a more specific layer can switch a link from random to bursty loss, or from a fixed
    /// rate to a trace.
    public func overlaid(by upper: ImpairmentSpec) -> ImpairmentSpec {
        var result = self
        func take<T>(_ keyPath: WritableKeyPath<ImpairmentSpec, Located<T>?>) {
            if let value = upper[keyPath: keyPath] { result[keyPath: keyPath] = value }
        }
        take(\.delay); take(\.jitter); take(\.distribution); take(\.delayCorrelation)
        if upper.loss != nil || upper.lossModel != nil {
            result.loss = upper.loss
            result.lossModel = upper.lossModel
        }
        take(\.lossCorrelation)
        take(\.duplicate); take(\.duplicateCorrelation); take(\.corrupt); take(\.corruptCorrelation)
        take(\.reorder); take(\.reorderCorrelation)
        if upper.rate != nil || upper.rateTrace != nil {
            result.rate = upper.rate
            result.rateTrace = upper.rateTrace
        }
        take(\.queue); take(\.aqm); take(\.keepOrder); take(\.seed)
        return result
    }
}

/// The fields a link line, `defaults.link` or a timeline `set` may give: both directions at once, the
/// per-direction overrides, and (not in `set`) the link-wide backend and MTU.
public struct LinkFieldsSpec: Sendable, Codable, Equatable {
    /// Applies to both directions.
    public var both = ImpairmentSpec()
    /// Traffic sent by endpoint a (a -> b).
    public var fromA = ImpairmentSpec()
    /// Traffic sent by endpoint b (b -> a).
    public var fromB = ImpairmentSpec()
    public var backend: Located<Backend>?
    public var mtu: Located<Int>?

    public init() {}

    /// The direction a -> b (`fromA: true`) or b -> a on top of `base`.
    func direction(fromA isA: Bool, over base: ImpairmentSpec) -> ImpairmentSpec {
        base.overlaid(by: both).overlaid(by: isA ? fromA : fromB)
    }
}
