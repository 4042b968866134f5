import Foundation
import NetLoomKernel
import NetLoomModel

/// Renders shaping the way `tc qdisc show` would, for status and `up`'s report.
public enum QdiscDescription {
    /// The tree on one interface, root first: "netem delay 10ms limit 2000 | tbf rate 1Gbit burst 125000b limit 3MB".
    public static func describe(_ held: [QdiscInfo]) -> String {
        let shaped = held.filter { $0.kind != nil }
        guard !shaped.isEmpty else { return held.isEmpty ? "none (noqueue)" : held.map(\.kindName).joined(separator: " | ") }
        let ordered = shaped.sorted { ($0.parent == .root ? 0 : 1) < ($1.parent == .root ? 0 : 1) }
        return ordered.compactMap(\.kind).map(describe).joined(separator: " | ")
    }

    public static func describe(_ tree: KernelTree) -> String {
        var parts: [String] = []
        if let netem = tree.netem { parts.append(describe(.netem(netem))) }
        if let tbf = tree.tbf { parts.append(describe(.tbf(tbf))) }
        return parts.isEmpty ? "none" : parts.joined(separator: " | ")
    }

    public static func describe(_ kind: QdiscKind) -> String {
        switch kind {
        case .tbf(let tbf):
            return "tbf rate \(Units.rate(tbf.rateBitsPerSecond)) burst \(tbf.burstBytes)b limit \(Units.bytes(UInt64(tbf.limitBytes)))"
        case .htb(let defaultClass):
            return "htb default \(defaultClass)"
        case .netem(let netem):
            var words = ["netem"]
            if netem.delay > .zero || netem.jitter > .zero {
                words.append("delay \(Units.duration(netem.delay))")
                if netem.jitter > .zero { words.append(Units.duration(netem.jitter)) }
                if netem.delayCorrelation > 0 { words.append(Units.percent(netem.delayCorrelation)) }
            }
            switch netem.loss {
            case .none: break
            case .random(let loss): words.append("loss \(Units.percent(loss.probability))")
            case .gilbertElliott(let p, let r, let bad, let good):
                words.append("loss gemodel p \(Units.percent(p)) r \(Units.percent(r)) 1-h \(Units.percent(bad)) 1-k \(Units.percent(good))")
            }
            if netem.duplicate.probability > 0 { words.append("duplicate \(Units.percent(netem.duplicate.probability))") }
            if netem.reorder.probability > 0 { words.append("reorder \(Units.percent(netem.reorder.probability)) gap \(netem.reorderGap)") }
            if netem.corrupt.probability > 0 { words.append("corrupt \(Units.percent(netem.corrupt.probability))") }
            if let rate = netem.rateBitsPerSecond { words.append("rate \(Units.rate(rate))") }
            words.append("limit \(netem.limit)")
            if let seed = netem.seed { words.append("seed \(seed)") }
            return words.joined(separator: " ")
        }
    }
}

/// Human units, tc style.
public enum Units {
    public static func rate(_ bitsPerSecond: UInt64) -> String {
        for (unit, scale) in [("Tbit", 1e12), ("Gbit", 1e9), ("Mbit", 1e6), ("Kbit", 1e3)] where Double(bitsPerSecond) >= scale {
            return trim(Double(bitsPerSecond) / scale) + unit
        }
        return "\(bitsPerSecond)bit"
    }

    public static func bytes(_ count: UInt64) -> String {
        for (unit, scale) in [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)] where Double(count) >= scale {
            return trim(Double(count) / scale) + unit
        }
        return "\(count)B"
    }

    public static func duration(_ duration: Duration) -> String {
        let nanoseconds = Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
        if nanoseconds >= 1e9 { return trim(nanoseconds / 1e9) + "s" }
        if nanoseconds >= 1e6 { return trim(nanoseconds / 1e6) + "ms" }
        if nanoseconds >= 1e3 { return trim(nanoseconds / 1e3) + "us" }
        return trim(nanoseconds) + "ns"
    }

    public static func percent(_ fraction: Double) -> String { trim(fraction * 100, digits: 4) + "%" }

    static func trim(_ value: Double, digits: Int = 3) -> String {
        var text = String(format: "%.\(digits)f", value)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }
}
