import Foundation
import Logging
import NetLoomKernel
import NetLoomModel

/// `netloom calibrate`: brings a lab up and measures every link against its configuration:
/// round-trip time against the delays of both directions, TCP goodput against each direction's
/// rate, UDP loss against each direction's loss. Each link is measured on its own, between its
/// two ends: a host's or router's address on the link, or, for a switch, an address added to
/// its bridge for the calibration (so a host-to-switch link is measured without the link on the
/// switch's other side). The lab is always taken down at the end.
public enum Calibration {
    /// What to measure, how long, and how close is close enough.
    public struct Options: Sendable {
        /// Only these links (all when nil).
        public var links: [String]?
        public var rtt = true
        public var goodput = true
        public var loss = true
        /// UDP round trips per link, and their spacing.
        public var probes = 40
        public var probeInterval: Duration = .milliseconds(10)
        /// TCP per direction: slow start first, then the window that is measured.
        public var goodputWindow: Duration = .seconds(2)
        /// At most this long sending loss probes per direction.
        public var lossTime: Duration = .seconds(2)
        public var tolerance = Tolerance()

        public init() {}
    }

    /// When a measurement counts as right.
    public struct Tolerance: Sendable, Codable {
        /// RTT: |measured - expected| <= absolute + relative x expected + the jitter of both directions.
        public var rttAbsoluteMilliseconds = 0.25
        public var rttRelative = 0.03
        /// Goodput: within [1 - below, 1 + above] x the payload ceiling of the configured rate.
        public var goodputBelow = 0.10
        public var goodputAbove = 0.03
        /// Loss: within this many binomial standard deviations (plus one datagram) of the configured loss.
        public var lossSigmas = 3.0

        public init() {}
    }

    /// Brings the lab up (its own lab; a lab of that name must not be up), measures, and takes it
    /// down. `progress` gets a line per measurement as it starts.
    public static func run(
        _ lab: ResolvedLab, labText: String, options: Options = Options(), logger: Logger,
        machine: MachineCapabilities? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> CalibrationReport {
        let machine = machine ?? MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw CoreError.needsPrivileges("calibrating a lab") }
        if let wanted = options.links {
            let unknown = wanted.filter { lab.link(named: $0) == nil }
            if !unknown.isEmpty { throw CoreError.unknownLink(lab: lab.name, link: unknown[0], known: lab.links.map(\.name)) }
        }
        let links = lab.links.filter { options.links?.contains($0.name) ?? true }
        let needsBaseline = options.goodput && links.contains { $0.aToB.rate != nil || $0.bToA.rate != nil }

        var baseline: Double?
        if needsBaseline {
            progress("baseline: TCP over an unshaped veth")
            baseline = try? measureBaseline(options: options, logger: logger, machine: machine)
        }

        let engine = HostedEngine(logger: logger)
        progress("up: \(lab.name)")
        let state = try LabLifecycle.up(lab, labText: labText, logger: logger, machine: machine, startEngine: engine.start)
        defer {
            engine.stop()
            _ = try? LabLifecycle.down(lab: lab.name, logger: logger)
        }
        let ends = try ProbeEnds(lab: lab)
        var results: [LinkCalibration] = []
        for link in links {
            let planned = try state.link(named: link.name)
            results.append(calibrate(link, planned: planned, ends: ends, lab: lab, options: options, baseline: baseline, progress: progress))
        }
        return CalibrationReport(
            lab: lab.name, file: lab.file, date: Date(), kernel: machine.kernelRelease, netem: machine.hasNetem,
            cores: ProcessInfo.processInfo.activeProcessorCount, baselineBitsPerSecond: baseline, tolerance: options.tolerance,
            links: results)
    }

    // MARK: - One link

    static func calibrate(
        _ link: ResolvedLink, planned: PlannedLink, ends: ProbeEnds, lab: ResolvedLab, options: Options, baseline: Double?,
        progress: (String) -> Void
    ) -> LinkCalibration {
        var measurements: [CalibrationMeasurement] = []
        let a: ProbeEnds.End, b: ProbeEnds.End
        do {
            (a, b) = try ends.ends(of: link)
        } catch {
            return LinkCalibration(link: link.name, backend: planned.reason, a: link.a.node, b: link.b.node, probe: "",
                                   measurements: [.failed("all", "\(error)")])
        }
        let probe = "\(a.node) \(a.address) <-> \(b.node) \(b.address)\(a.temporary || b.temporary ? " (probe address on a switch's bridge)" : "")"
        let tolerance = options.tolerance

        if options.rtt {
            progress("\(link.name): round trips")
            let frameBits = 64.0 * 8
            func serialization(_ impairment: Impairment) -> Double {
                impairment.rate.map { frameBits / Double($0.bitsPerSecond) * 1e3 } ?? 0
            }
            let expected = milliseconds(link.aToB.delay) + milliseconds(link.bToA.delay) + serialization(link.aToB) + serialization(link.bToA)
            let allowed = tolerance.rttAbsoluteMilliseconds + tolerance.rttRelative * expected
                + milliseconds(link.aToB.jitter) + milliseconds(link.bToA.jitter)
            let configured = milliseconds(link.aToB.delay) + milliseconds(link.bToA.delay)
            let timeout = Duration.milliseconds(Int64(expected * 2 + 500))
            do {
                let samples = try Probes.roundTrips(
                    from: a.namespace, to: b.namespace, address: b.address, count: options.probes, interval: options.probeInterval,
                    timeout: timeout)
                if samples.isEmpty {
                    measurements.append(.failed("RTT", "no probe came back"))
                } else {
                    let measured = median(samples)
                    var row = CalibrationMeasurement(
                        quantity: "RTT", unit: "ms", configured: configured, expected: expected, measured: measured,
                        tolerance: "±\(format(allowed)) ms", verdict: abs(measured - expected) <= allowed ? .ok : .outside)
                    row.note = "median of \(samples.count) of \(options.probes) probes; min \(format(samples.min()!)) ms, "
                        + "max \(format(samples.max()!)) ms"
                    measurements.append(row)
                }
            } catch {
                measurements.append(.failed("RTT", "\(error)"))
            }
        }

        let directions = [(a, b, link.aToB, "a->b"), (b, a, link.bToA, "b->a")]
        if options.goodput {
            // TCP cannot fill a link that loses packets: goodput is measured with loss, duplication,
            // corruption and reordering off for the while (delay, jitter, rate and queue as configured).
            let clean = (Self.lossless(link.aToB), Self.lossless(link.bToA))
            let lossy = clean.0 != link.aToB || clean.1 != link.bToA
            var reshaped = false
            if lossy {
                do {
                    try LabControl.applyShaping(lab: lab.name, link: link.name, aToB: clean.0, bToA: clean.1, logger: Logger(label: "calibrate"))
                    reshaped = true
                } catch {
                    measurements.append(.failed("goodput", "could not turn the link's loss off for the measurement: \(error)"))
                }
            }
            if !lossy || reshaped {
                for (from, to, impairment, direction) in directions {
                    progress("\(link.name): TCP goodput \(direction)")
                    var row = goodput(
                        from: from, to: to, impairment: impairment, direction: direction, mtu: link.mtu, options: options, baseline: baseline)
                    if lossy { row.note = (row.note.map { $0 + "; " } ?? "") + "measured with the link's loss, duplication, corruption and reordering off" }
                    measurements.append(row)
                }
            }
            if reshaped {
                do {
                    try LabControl.applyShaping(lab: lab.name, link: link.name, aToB: link.aToB, bToA: link.bToA, logger: Logger(label: "calibrate"))
                } catch {
                    measurements.append(.failed("loss", "could not restore the link's loss: \(error)"))
                    return LinkCalibration(link: link.name, backend: planned.reason, a: link.a.node, b: link.b.node, probe: probe,
                                           measurements: measurements)
                }
            }
        }
        if options.loss {
            for (from, to, impairment, direction) in directions {
                progress("\(link.name): loss \(direction)")
                measurements.append(loss(from: from, to: to, impairment: impairment, direction: direction, options: options))
            }
        }
        return LinkCalibration(link: link.name, backend: planned.reason, a: link.a.node, b: link.b.node, probe: probe, measurements: measurements)
    }

    static func goodput(
        from: ProbeEnds.End, to: ProbeEnds.End, impairment: Impairment, direction: String, mtu: Int, options: Options, baseline: Double?
    ) -> CalibrationMeasurement {
        let quantity = "goodput \(direction)"
        let rtt = milliseconds(impairment.delay) * 2 / 1000
        let warmUp = Duration.milliseconds(Int64(min(1.5, 0.3 + 10 * rtt) * 1000))
        let measured: Double
        do {
            measured = try Probes.goodput(from: from.namespace, to: to.namespace, address: to.address, warmUp: warmUp, window: options.goodputWindow) / 1e6
        } catch {
            return .failed(quantity, "\(error)")
        }
        var row = CalibrationMeasurement(quantity: quantity, unit: "Mbit/s", configured: nil, expected: nil, measured: measured, tolerance: "",
                                         verdict: .unchecked)
        guard impairment.rateTrace == nil else {
            row.note = "the rate follows a trace; not compared"
            return row
        }
        guard let rate = impairment.rate else {
            row.note = "no rate configured"
            return row
        }
        // TCP's payload per full frame: MTU less IPv4 (20), TCP (20) and timestamps (12), over the
        // frame with its Ethernet header (14), which is what the rate counts.
        let share = Double(mtu - 52) / Double(mtu + 14)
        let configured = Double(rate.bitsPerSecond) / 1e6
        let expected = configured * share
        let tolerance = options.tolerance
        row.configured = configured
        row.expected = expected
        row.tolerance = "-\(format(tolerance.goodputBelow * 100, 0))% +\(format(tolerance.goodputAbove * 100, 0))%"
        let ratio = measured / expected
        if ratio >= 1 - tolerance.goodputBelow, ratio <= 1 + tolerance.goodputAbove {
            row.verdict = .ok
        } else if ratio < 1, let baseline, expected * 1e6 > 0.8 * baseline {
            row.verdict = .unchecked
            row.note = "this machine moves \(format(baseline / 1e6, 0)) Mbit/s over an unshaped veth with this probe; "
                + "a rate that close to it cannot be checked here"
        } else {
            row.verdict = .outside
        }
        if row.note == nil { row.note = "payload ceiling \(format(share * 100, 1))% of the rate at MTU \(mtu)" }
        return row
    }

    static func loss(from: ProbeEnds.End, to: ProbeEnds.End, impairment: Impairment, direction: String, options: Options) -> CalibrationMeasurement {
        let quantity = "loss \(direction)"
        // The share of datagrams that should not arrive: lost, or corrupted (their checksum fails).
        var lost: Double
        switch impairment.loss {
        case .random(let percent, _):
            lost = percent.fraction
        case .gilbertElliott(let model):
            let bad = model.p.fraction / max(model.p.fraction + model.r.fraction, 1e-12)
            lost = (1 - bad) * (1 - model.k.fraction) + bad * (1 - model.h.fraction)
        }
        lost = 1 - (1 - lost) * (1 - impairment.corrupt.fraction)
        // Paced well below the rate (the queue stays empty), at most 20,000 a second.
        let frameBits = 106.0 * 8
        let perSecond = min(20_000, impairment.rate.map { Double($0.bitsPerSecond) / frameBits * 0.1 } ?? 20_000)
        let wanted = lost > 0 ? Int((400 / lost).rounded(.up)) : 5_000
        let datagrams = max(200, min(wanted, Int(perSecond * seconds(options.lossTime)), 100_000))
        let drain = Duration.milliseconds(Int64(milliseconds(impairment.delay + impairment.jitter) + 300))
        do {
            let (sent, received) = try Probes.loss(
                from: from.namespace, to: to.namespace, address: to.address, datagrams: datagrams, perSecond: perSecond, drain: drain)
            let measured = Double(sent - received) / Double(sent) * 100
            let allowed = (options.tolerance.lossSigmas * (lost * (1 - lost) / Double(sent)).squareRoot() + 1 / Double(sent)) * 100
            var row = CalibrationMeasurement(
                quantity: quantity, unit: "%", configured: lost * 100, expected: lost * 100, measured: measured,
                tolerance: "±\(format(allowed, 3)) points", verdict: abs(measured - lost * 100) <= allowed ? .ok : .outside)
            row.note = "\(sent - received) of \(sent) UDP datagrams"
            return row
        } catch {
            return .failed(quantity, "\(error)")
        }
    }

    /// A direction's shaping without what makes TCP back off on its own: loss, duplication,
    /// corruption and reordering.
    static func lossless(_ impairment: Impairment) -> Impairment {
        var clean = impairment
        clean.loss = .none
        clean.duplicate = .zero
        clean.duplicateCorrelation = .zero
        clean.corrupt = .zero
        clean.corruptCorrelation = .zero
        clean.reorder = .zero
        clean.reorderCorrelation = .zero
        return clean
    }

    /// TCP goodput over an unshaped veth between two namespaces (a lab of its own): what this
    /// machine can move with the probe, the ceiling of what can be checked.
    static func measureBaseline(options: Options, logger: Logger, machine: MachineCapabilities) throws -> Double {
        let name = "nlcal-\(String(getpid(), radix: 36))"
        let text = """
            name: \(name)
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b], backend: kernel }]
            """
        let lab = try ResolvedLab.parse(yaml: text, file: "<calibration baseline>")
        let state = try LabLifecycle.up(lab, labText: text, logger: logger, machine: machine, startEngine: { _, _ in nil })
        defer { _ = try? LabLifecycle.down(lab: name, logger: logger) }
        let ends = try ProbeEnds(lab: state.lab)
        let (a, b) = try ends.ends(of: state.lab.links[0])
        return try Probes.goodput(from: a.namespace, to: b.namespace, address: b.address, warmUp: .milliseconds(300), window: .seconds(1))
    }

    // MARK: - Support

    static func milliseconds(_ duration: Duration) -> Double {
        seconds(duration) * 1e3
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }
}

/// The address each end of a link is probed at: a host's or router's own address on the link,
/// or an address added to a switch's bridge (one per switch, the highest free one in its subnet).
struct ProbeEnds {
    struct End {
        var node: String
        var namespace: NetworkNamespace
        var address: String
        /// Added for the calibration (a switch's bridge).
        var temporary: Bool
    }

    let lab: ResolvedLab
    private var bridgeAddresses: [String: String] = [:]

    /// Adds the probe addresses to the switches' bridges.
    init(lab: ResolvedLab) throws {
        self.lab = lab
        var used = Set(lab.nodes.flatMap { $0.interfaces.compactMap { $0.ipv4?.address } })
        for node in lab.nodes where node.kind == .switch {
            guard let segmentIndex = lab.links.first(where: { $0.a.node == node.name || $0.b.node == node.name })?.segment,
                  let prefix = lab.segments[segmentIndex].ipv4, case .v4(let network) = prefix.network
            else { continue }
            let size = UInt32(1) << UInt32(32 - prefix.length)
            guard size >= 4 else { continue }
            var candidate = network.value + size - 2
            while candidate > network.value, used.contains(.v4(IPv4Address(candidate))) { candidate -= 1 }
            guard candidate > network.value else { continue }
            let address = IPAddress.v4(IPv4Address(candidate))
            used.insert(address)
            let assigned = InterfaceAddress(address: address, prefixLength: prefix.length)
            let namespace = try NetworkNamespace.open(named: node.namespace)
            try NetlinkSocket.open(in: namespace).perform(try AddressRequest.add(assigned.kernelPrefix, interface: InterfaceIndexes.bridge))
            bridgeAddresses[node.name] = "\(address)"
        }
    }

    func ends(of link: ResolvedLink) throws -> (End, End) {
        (try end(link.a), try end(link.b))
    }

    func end(_ endpoint: LinkEndpoint) throws -> End {
        guard let node = lab.node(named: endpoint.node) else { throw CoreError.unsupported("no node \(endpoint.node)") }
        let namespace = try NetworkNamespace.open(named: node.namespace)
        if node.kind == .switch {
            guard let address = bridgeAddresses[node.name] else {
                throw CoreError.unsupported("switch \(node.name) has no free IPv4 address in its subnet to probe from")
            }
            return End(node: node.name, namespace: namespace, address: address, temporary: true)
        }
        guard let address = node.interface(named: endpoint.interface)?.ipv4?.address else {
            throw CoreError.unsupported("\(endpoint) has no IPv4 address to probe")
        }
        return End(node: node.name, namespace: namespace, address: "\(address)", temporary: false)
    }
}

/// What `netloom calibrate` found.
public struct CalibrationReport: Codable, Sendable {
    public var lab: String
    public var file: String
    public var date: Date
    public var kernel: String
    public var netem: Bool
    public var cores: Int
    /// A direction's shaping without what makes TCP back off on its own: loss, duplication,
    /// corruption and reordering.
    static func lossless(_ impairment: Impairment) -> Impairment {
        var clean = impairment
        clean.loss = .none
        clean.duplicate = .zero
        clean.duplicateCorrelation = .zero
        clean.corrupt = .zero
        clean.corruptCorrelation = .zero
        clean.reorder = .zero
        clean.reorderCorrelation = .zero
        return clean
    }

    /// TCP goodput over an unshaped veth, when measured (bits per second).
    public var baselineBitsPerSecond: Double?
    public var tolerance: Calibration.Tolerance
    public var links: [LinkCalibration]

    /// Measurements outside tolerance or that failed.
    public var problems: Int {
        links.flatMap(\.measurements).filter { $0.verdict == .outside || $0.verdict == .failed }.count
    }
}

public struct LinkCalibration: Codable, Sendable {
    public var link: String
    /// The backend and why (`userspace: this kernel has no sch_netem`).
    public var backend: String
    public var a: String
    public var b: String
    /// Where it was probed.
    public var probe: String
    public var measurements: [CalibrationMeasurement]

    /// Whether every measurement is within tolerance (or not comparable).
    public var withinTolerance: Bool {
        !measurements.contains { $0.verdict == .outside || $0.verdict == .failed }
    }
}

public struct CalibrationMeasurement: Codable, Sendable {
    public enum Verdict: String, Codable, Sendable {
        case ok
        /// Measured, and outside tolerance.
        case outside
        /// Measured, with nothing to compare to (no rate configured, a trace, beyond this machine).
        case unchecked
        case failed
    }

    /// `RTT`, `goodput a->b`, `loss b->a`.
    public var quantity: String
    public var unit: String
    /// As configured (RTT: the delays of both directions; goodput: the rate; loss: the loss).
    public var configured: Double?
    /// What should be measured (RTT with serialization; goodput: the payload ceiling of the rate).
    public var expected: Double?
    public var measured: Double?
    public var tolerance: String
    public var verdict: Verdict
    public var note: String?

    /// (measured - expected) / expected.
    public var relativeError: Double? {
        guard let measured, let expected, expected != 0 else { return nil }
        return (measured - expected) / expected
    }

    static func failed(_ quantity: String, _ reason: String) -> CalibrationMeasurement {
        CalibrationMeasurement(quantity: quantity, unit: "", configured: nil, expected: nil, measured: nil, tolerance: "", verdict: .failed,
                               note: reason)
    }
}
