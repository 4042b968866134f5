import Foundation
import NetLoomLinkEngine
import NetLoomModel

/// Lab impairments to the link engine's configuration. The engine has its own types
/// (it does not depend on the lab model); this is the one place they meet.
public enum EngineShaping {
    /// One direction. Rate traces are read and parsed here, so a bad trace fails the
    /// plan before anything is built.
    public static func direction(_ impairment: Impairment, seed: UInt64?) throws -> DirectionShaping {
        var shaping = DirectionShaping(
            delay: impairment.delay, jitter: impairment.jitter,
            distribution: NetLoomLinkEngine.DelayDistribution(rawValue: impairment.distribution.rawValue) ?? .uniform,
            delayCorrelation: impairment.delayCorrelation.fraction, keepOrder: impairment.keepOrder,
            loss: loss(impairment.loss),
            duplicate: Probability(impairment.duplicate.fraction, correlation: impairment.duplicateCorrelation.fraction),
            corrupt: Probability(impairment.corrupt.fraction, correlation: impairment.corruptCorrelation.fraction),
            reorder: Probability(impairment.reorder.fraction, correlation: impairment.reorderCorrelation.fraction),
            rate: try rate(impairment),
            aqm: impairment.aqm == .codel ? .codelDefault : .dropTail,
            seed: seed ?? 0)
        switch impairment.queue {
        case .packets(let count): shaping.queue = .packets(Int(count))
        case .bytes(let size): shaping.queue = .bytes(Int(size.bytes))
        case .auto: break  // the engine sizes it from its rate and delay
        }
        return shaping
    }

    static func loss(_ model: LossModel) -> LossSpec {
        switch model {
        case .random(let p, let correlation):
            p.isZero ? .none : .random(probability: p.fraction, correlation: correlation.fraction)
        case .gilbertElliott(let ge):
            .gilbertElliott(p: ge.p.fraction, r: ge.r.fraction, h: ge.h.fraction, k: ge.k.fraction)
        }
    }

    /// A constant rate, or a trace file: Mahimahi (one millisecond timestamp per line)
    /// or a step schedule (`TIME RATE` lines), told apart by their lines.
    static func rate(_ impairment: Impairment) throws -> RateSpec {
        if let path = impairment.rateTrace {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CoreError.unsupported("rate_trace \(path): cannot read it (\(error.localizedDescription))")
            }
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            do {
                if lines.allSatisfy({ UInt64($0) != nil }) { return .mahimahi(try MahimahiTrace.parse(text: text)) }
                return .steps(try StepSchedule.parse(text: text))
            } catch {
                throw CoreError.unsupported("rate_trace \(path): \(error)")
            }
        }
        return impairment.rate.map { .constant(bitsPerSecond: $0.bitsPerSecond) } ?? .unlimited
    }

    /// The engine's links for a plan's userspace links.
    public static func links(_ links: [PlannedLink]) throws -> [EngineLink] {
        try links.filter { $0.backend == .userspace }.map { link in
            guard let wireA = link.wireA, let wireB = link.wireB else {
                throw CoreError.corruptState("userspace link \(link.name) has no wire ends")
            }
            return EngineLink(
                name: link.name, sideA: wireA.interface, sideB: wireB.interface,
                aToB: try direction(link.aToB, seed: link.aToB.seed), bToA: try direction(link.bToA, seed: link.bToA.seed))
        }
    }
}
