import NetLoomModel

/// One direction's configured shaping in the lab file's vocabulary, for reports.
public enum ImpairmentDescription {
    public static func describe(_ impairment: Impairment) -> String {
        var words: [String] = []
        if impairment.delay > .zero { words.append("delay \(Units.duration(impairment.delay))") }
        if impairment.jitter > .zero {
            words.append("jitter \(Units.duration(impairment.jitter))"
                + (impairment.distribution == .uniform ? "" : " \(impairment.distribution.rawValue)"))
        }
        switch impairment.loss {
        case .random(let p, let correlation):
            if !p.isZero { words.append("loss \(p)" + (correlation.isZero ? "" : " corr \(correlation)")) }
        case .gilbertElliott(let model):
            words.append("loss gilbert-elliott p \(model.p) r \(model.r) h \(model.h) k \(model.k)")
        }
        if !impairment.duplicate.isZero { words.append("duplicate \(impairment.duplicate)") }
        if !impairment.corrupt.isZero { words.append("corrupt \(impairment.corrupt)") }
        if !impairment.reorder.isZero { words.append("reorder \(impairment.reorder)") }
        if let rate = impairment.rate { words.append("rate \(rate)") }
        if let trace = impairment.rateTrace { words.append("trace \(trace.split(separator: "/").last ?? "")") }
        if impairment.rate != nil || impairment.rateTrace != nil || impairment.queue != .auto {
            words.append("queue \(impairment.queue)")
        }
        if impairment.aqm != .droptail { words.append(impairment.aqm.rawValue) }
        if !impairment.keepOrder { words.append("reordering jitter") }
        return words.isEmpty ? "unshaped" : words.joined(separator: " ")
    }
}
