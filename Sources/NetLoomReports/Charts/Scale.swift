// Reports / Charts: scales (data to pixels, linear or logarithmic) and "nice" ticks (1, 2 or 5 times a
// power of ten) with their labels.

import Foundation

/// Maps a data interval onto a pixel interval, linearly or logarithmically (base 10).
/// `pixels` may run backwards (a y axis grows upwards).
public struct Scale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case linear, log }

    public var kind: Kind
    /// Data values at the two ends. For `.log` both are above 0.
    public var domain: (lower: Double, upper: Double)
    public var pixels: (start: Double, end: Double)

    public init(_ kind: Kind = .linear, domain: (Double, Double), pixels: (Double, Double)) {
        self.kind = kind
        var lower = domain.0
        var upper = domain.1
        if kind == .log {
            lower = max(lower, .leastNormalMagnitude)
            upper = max(upper, lower)
        }
        if upper <= lower {
            // A flat domain still gets a visible span around its value.
            let pad = kind == .log ? lower * 9 : Swift.max(abs(lower) * 0.1, 1)
            upper = lower + pad
            if kind == .linear && lower != 0 { lower -= pad }
        }
        self.domain = (lower, upper)
        self.pixels = pixels
    }

    /// The pixel of a value (values outside the domain map outside the pixel range; log
    /// values at or below 0 map to the domain's lower end).
    public func callAsFunction(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            fraction = (value - domain.lower) / (domain.upper - domain.lower)
        case .log:
            let v = value > 0 ? value : domain.lower
            fraction = (log10(v) - log10(domain.lower)) / (log10(domain.upper) - log10(domain.lower))
        }
        return pixels.start + fraction * (pixels.end - pixels.start)
    }

    /// Labelled ticks inside the domain: nice multiples for `.linear`, powers of ten
    /// (with 2 and 5 times them when the domain spans less than two decades) for `.log`.
    public func ticks(count: Int = 5) -> [Double] {
        switch kind {
        case .linear: Ticks.linear(domain.lower, domain.upper, count: count)
        case .log: Ticks.log(domain.lower, domain.upper)
        }
    }

    /// The step between linear ticks (for labels with the right number of decimals).
    public func tickStep(count: Int = 5) -> Double {
        Ticks.niceStep(domain.upper - domain.lower, count: count)
    }

    public static func == (a: Scale, b: Scale) -> Bool {
        a.kind == b.kind && a.domain == b.domain && a.pixels == b.pixels
    }
}

/// Nice tick values and their labels.
public enum Ticks {
    /// The 1, 2 or 5 times a power of ten closest to `span / count`.
    public static func niceStep(_ span: Double, count: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10
        return nice * magnitude
    }

    /// The multiples of a nice step within [lower, upper] (about `count` of them).
    public static func linear(_ lower: Double, _ upper: Double, count: Int) -> [Double] {
        guard upper > lower else { return [lower] }
        let step = niceStep(upper - lower, count: count)
        // A little slack, so 0.3 / 0.1 = 2.9999999999999996 still counts 0.3 in.
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard last >= first else { return [] }
        // Multiply rather than accumulate, and round to the step's decimals, so values are 0.3, not 0.30000000000000004.
        let decimals = pow(10, max(0, -floor(log10(step))))
        return stride(from: first, through: last, by: 1).map { index in
            let value = (index * step * decimals).rounded() / decimals
            return value == 0 ? 0 : value
        }
    }

    /// An upper bound for a linear axis: the first nice multiple at or above `value`.
    public static func niceUpper(_ value: Double, count: Int) -> Double {
        guard value > 0 else { return 1 }
        let step = niceStep(value, count: count)
        return (value / step).rounded(.up) * step
    }

    /// Powers of ten within [lower, upper]; with 2x and 5x them when that leaves fewer than three ticks.
    public static func log(_ lower: Double, _ upper: Double) -> [Double] {
        guard lower > 0, upper >= lower else { return [] }
        let from = Int(floor(log10(lower)))
        let to = Int(ceil(log10(upper)))
        let tolerance = 1e-9
        let within = { (v: Double) in v >= lower * (1 - tolerance) && v <= upper * (1 + tolerance) }
        let powers = (from...to).map { pow(10, Double($0)) }.filter(within)
        if powers.count >= 3 { return powers }
        return (from...to).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, Double(e)) } }.filter(within)
    }

    /// Labels of linear ticks: as many decimals as the step needs; when the largest is
    /// 10000 or more, all in one unit of k, M, G or T (0, 5k, 10k, 15k).
    public static func labels(_ values: [Double], step: Double) -> [String] {
        let (suffix, scale) = prefix(for: values.map(abs).max() ?? 0, from: 10_000)
        return values.map { $0 == 0 ? "0" : plain($0 / scale, step: step / scale) + suffix }
    }

    /// A log tick's label: 0.01, 1, 20, 500, 1k, 10M.
    public static func logLabel(_ value: Double) -> String {
        let (suffix, scale) = prefix(for: abs(value), from: 1000)
        return plain(value / scale, step: abs(value) / scale) + suffix
    }

    static func prefix(for magnitude: Double, from threshold: Double) -> (String, Double) {
        guard magnitude >= threshold else { return ("", 1) }
        for (suffix, scale) in [("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)] where magnitude >= scale {
            return (suffix, scale)
        }
        return ("", 1)
    }

    static func plain(_ value: Double, step: Double) -> String {
        let decimals = step > 0 ? max(0, min(6, Int(ceil(-log10(step) - 1e-9)))) : 0
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
