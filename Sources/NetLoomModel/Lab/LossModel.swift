// Lab model / Lab: packet loss, random or bursty.

/// The Gilbert-Elliott two-state loss model with netem's `gemodel` semantics.
///
/// Lab syntax: `loss_model: { gilbert_elliott: { p: 1%, r: 10%, h: 0%, k: 100% } }`.
/// - `p`: probability of moving from the good to the bad state (required).
/// - `r`: probability of moving from the bad to the good state (default 100% - p).
/// - `h`: probability that a packet is delivered in the bad state; loss in bad = 100% - h (default 0%).
/// - `k`: probability that a packet is delivered in the good state; loss in good = 100% - k (default 100%).
///
/// netem's command line takes `1-h` and `1-k`; the kernel layer converts.
public struct GilbertElliott: Sendable, Hashable, Codable {
    public var p: Percent
    public var r: Percent
    public var h: Percent
    public var k: Percent

    public init(p: Percent, r: Percent? = nil, h: Percent = .zero, k: Percent = .hundred) {
        self.p = p
        self.r = r ?? Percent(100 - p.value)
        self.h = h
        self.k = k
    }
}

/// How a direction loses packets.
public enum LossModel: Sendable, Hashable, Codable {
    /// Independent random loss with netem's correlation (0% loss means no loss).
    case random(Percent, correlation: Percent)
    /// Bursty loss.
    case gilbertElliott(GilbertElliott)

    public static let none = LossModel.random(.zero, correlation: .zero)
}
