import Foundation
import Logging
import NetLoomModel

/// Measures one link of a running lab between its two probe ends: the round trip, then TCP
/// goodput and UDP loss in each direction, each compared with what the link's shaping says.
struct LinkCalibrator {
    let link: ResolvedLink
    let lab: String
    let a: ProbeEnds.End
    let b: ProbeEnds.End
    let options: Calibration.Options
    /// TCP over an unshaped veth on this machine (bits per second), when measured.
    let baseline: Double?
    let logger: Logger
    let progress: (String) -> Void

    private var tolerance: Calibration.Tolerance { options.tolerance }
    private var directions: [(from: ProbeEnds.End, to: ProbeEnds.End, shaping: Impairment, name: String)] {
        [(a, b, link.aToB, "a->b"), (b, a, link.bToA, "b->a")]
    }

    var probeDescription: String {
        "\(a.node) \(a.address) <-> \(b.node) \(b.address)"
            + (a.temporary || b.temporary ? " (probe address on a switch's bridge)" : "")
    }

    /// Every measurement the options ask for, in order: RTT, goodput a->b and b->a, loss a->b and b->a.
    func measure(shouldStop: () -> Bool) throws -> [CalibrationMeasurement] {
        var rows: [CalibrationMeasurement] = []
        if options.rtt {
            try check(shouldStop)
            progress("\(link.name): round trips")
            rows.append(roundTrip())
        }
        if options.goodput {
            rows += try goodputBothWays(shouldStop: shouldStop)
        }
        if options.loss {
            for direction in directions {
                try check(shouldStop)
                progress("\(link.name): loss \(direction.name)")
                rows.append(loss(from: direction.from, to: direction.to, shaping: direction.shaping, direction: direction.name))
            }
        }
        return rows
    }

    private func check(_ shouldStop: () -> Bool) throws {
        if shouldStop() { throw CancellationError() }
    }

    // MARK: - RTT

    /// UDP round trips: expected is both directions' delay plus the serialization of a
    /// 64-byte frame at each direction's rate; allowed is absolute + relative x expected +
    /// both directions' jitter.
    func roundTrip() -> CalibrationMeasurement {
        let configured = milliseconds(link.aToB.delay) + milliseconds(link.bToA.delay)
        let expected = configured + serializationMilliseconds(link.aToB) + serializationMilliseconds(link.bToA)
        let allowed = tolerance.rttAbsoluteMilliseconds + tolerance.rttRelative * expected
            + milliseconds(link.aToB.jitter) + milliseconds(link.bToA.jitter)
        let samples: [Double]
        do {
            samples = try Probes.roundTrips(
                from: a.namespace, to: b.namespace, address: b.address, count: options.probes, interval: options.probeInterval,
                timeout: .milliseconds(Int64(expected * 2 + 500)))
        } catch {
            return .failed("RTT", "\(error)")
        }
        guard let least = samples.min(), let most = samples.max() else { return .failed("RTT", "no probe came back") }
        let measured = median(samples)
        return CalibrationMeasurement(
            quantity: "RTT", unit: "ms", configured: configured, expected: expected, measured: measured,
            tolerance: "±\(decimal(allowed)) ms", verdict: abs(measured - expected) <= allowed ? .ok : .outside,
            note: "median of \(samples.count) of \(options.probes) probes; min \(decimal(least)) ms, max \(decimal(most)) ms")
    }

    private func serializationMilliseconds(_ shaping: Impairment) -> Double {
        shaping.rate.map { 64.0 * 8 / Double($0.bitsPerSecond) * 1e3 } ?? 0
    }

    // MARK: - Goodput

    /// TCP cannot fill a link that loses packets: goodput is measured with loss, duplication,
    /// corruption and reordering off for the while (delay, jitter, rate and queue as
    /// configured), and the link's shaping is put back afterwards.
    func goodputBothWays(shouldStop: () -> Bool) throws -> [CalibrationMeasurement] {
        let clean = (Self.lossless(link.aToB), Self.lossless(link.bToA))
        let lossy = clean.0 != link.aToB || clean.1 != link.bToA
        if lossy {
            do {
                try LabControl.applyShaping(lab: lab, link: link.name, aToB: clean.0, bToA: clean.1, logger: logger)
            } catch {
                return [.failed("goodput", "could not turn the link's loss off for the measurement: \(error)")]
            }
        }
        var rows: [CalibrationMeasurement] = []
        for direction in directions {
            if shouldStop() { break }
            progress("\(link.name): TCP goodput \(direction.name)")
            var row = goodput(from: direction.from, to: direction.to, shaping: direction.shaping, direction: direction.name)
            if lossy { row.note = [row.note, "measured with the link's loss, duplication, corruption and reordering off"].compactMap { $0 }.joined(separator: "; ") }
            rows.append(row)
        }
        if lossy {
            // Restoring is not optional: the loss measurements and anything after depend on it.
            try LabControl.applyShaping(lab: lab, link: link.name, aToB: link.aToB, bToA: link.bToA, logger: logger)
        }
        try check(shouldStop)
        return rows
    }

    /// One direction's TCP goodput, against the payload share of the rate: MTU less IPv4 (20),
    /// TCP (20) and timestamps (12), over the frame with its Ethernet header (14), which is
    /// what the rate counts (1448/1514 at MTU 1500). Within [1 - below, 1 + above] of that
    /// is ok; a rate within 80% of what this machine moves unshaped is not checked.
    func goodput(from: ProbeEnds.End, to: ProbeEnds.End, shaping: Impairment, direction: String) -> CalibrationMeasurement {
        let quantity = "goodput \(direction)"
        // The round trip goes out in this direction and back in the other (links can be asymmetric).
        let rtt = (milliseconds(link.aToB.delay) + milliseconds(link.bToA.delay)) / 1000
        let warmUp = Duration.milliseconds(Int64(min(1.5, 0.3 + 10 * rtt) * 1000))
        let measured: Double
        do {
            measured = try Probes.goodput(
                from: from.namespace, to: to.namespace, address: to.address, warmUp: warmUp, window: options.goodputWindow) / 1e6
        } catch {
            return .failed(quantity, "\(error)")
        }
        var row = CalibrationMeasurement(
            quantity: quantity, unit: "Mbit/s", configured: nil, expected: nil, measured: measured, tolerance: "", verdict: .unchecked)
        guard shaping.rateTrace == nil else {
            row.note = "the rate follows a trace; not compared"
            return row
        }
        guard let rate = shaping.rate else {
            row.note = "no rate configured"
            return row
        }
        let share = Double(link.mtu - 52) / Double(link.mtu + 14)
        let configured = Double(rate.bitsPerSecond) / 1e6
        let expected = configured * share
        row.configured = configured
        row.expected = expected
        row.tolerance = "-\(decimal(tolerance.goodputBelow * 100, 0))% +\(decimal(tolerance.goodputAbove * 100, 0))%"
        row.note = "payload ceiling \(decimal(share * 100, 1))% of the rate at MTU \(link.mtu)"
        let ratio = measured / expected
        if ratio >= 1 - tolerance.goodputBelow, ratio <= 1 + tolerance.goodputAbove {
            row.verdict = .ok
        } else if ratio < 1, let baseline, expected * 1e6 > 0.8 * baseline {
            row.verdict = .unchecked
            row.note = "this machine moves \(decimal(baseline / 1e6, 0)) Mbit/s over an unshaped veth with this probe; "
                + "a rate that close to it cannot be checked here"
        } else {
            row.verdict = .outside
        }
        return row
    }

    /// A direction's shaping without what makes TCP back off on its own: loss, duplication,
    /// corruption and reordering.
    static func lossless(_ shaping: Impairment) -> Impairment {
        var clean = shaping
        clean.loss = .none
        clean.duplicate = .zero
        clean.duplicateCorrelation = .zero
        clean.corrupt = .zero
        clean.corruptCorrelation = .zero
        clean.reorder = .zero
        clean.reorderCorrelation = .zero
        return clean
    }

    // MARK: - Loss

    /// UDP datagrams paced well below the rate (the queue stays empty), at most 20,000 a
    /// second, enough to expect about 400 losses (at least 200 and at most 100,000 datagrams,
    /// within `lossTime`). Within `lossSigmas` binomial standard deviations plus one datagram
    /// of the configured loss is ok.
    func loss(from: ProbeEnds.End, to: ProbeEnds.End, shaping: Impairment, direction: String) -> CalibrationMeasurement {
        let quantity = "loss \(direction)"
        let lost = Self.expectedLoss(shaping)
        let perSecond = min(20_000, shaping.rate.map { Double($0.bitsPerSecond) / (106.0 * 8) * 0.1 } ?? 20_000)
        let wanted = lost > 0 ? Int((400 / lost).rounded(.up)) : 5_000
        let datagrams = max(200, min(wanted, Int(perSecond * seconds(options.lossTime)), 100_000))
        let drain = Duration.milliseconds(Int64(milliseconds(shaping.delay + shaping.jitter) + 300))
        do {
            let (sent, received) = try Probes.loss(
                from: from.namespace, to: to.namespace, address: to.address, datagrams: datagrams, perSecond: perSecond, drain: drain)
            let measured = Double(sent - received) / Double(sent) * 100
            let allowed = (tolerance.lossSigmas * (lost * (1 - lost) / Double(sent)).squareRoot() + 1 / Double(sent)) * 100
            return CalibrationMeasurement(
                quantity: quantity, unit: "%", configured: lost * 100, expected: lost * 100, measured: measured,
                tolerance: "±\(decimal(allowed, 3)) points", verdict: abs(measured - lost * 100) <= allowed ? .ok : .outside,
                note: "\(sent - received) of \(sent) UDP datagrams")
        } catch {
            return .failed(quantity, "\(error)")
        }
    }

    /// The share of datagrams that should not arrive: lost (random, or the stationary loss of
    /// a Gilbert-Elliott model), or corrupted (their checksum fails).
    static func expectedLoss(_ shaping: Impairment) -> Double {
        let lost: Double
        switch shaping.loss {
        case .random(let percent, _):
            lost = percent.fraction
        case .gilbertElliott(let model):
            let bad = model.p.fraction / max(model.p.fraction + model.r.fraction, 1e-12)
            lost = (1 - bad) * (1 - model.k.fraction) + bad * (1 - model.h.fraction)
        }
        return 1 - (1 - lost) * (1 - shaping.corrupt.fraction)
    }
}

// MARK: - Numbers

private func milliseconds(_ duration: Duration) -> Double {
    seconds(duration) * 1e3
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// `value` with `digits` decimals.
private func decimal(_ value: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", value)
}
