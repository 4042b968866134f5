import Foundation
import Logging
import NetLoomKernel
import NetLoomModel

/// `netloom calibrate`: brings a lab up and measures every link against its configuration:
/// round-trip time against the delays of both directions, TCP goodput against each direction's
/// rate, UDP loss against each direction's loss. Each link is measured on its own, between its
/// two ends: a host's or router's address on the link, or, for a switch, an address added to
/// its bridge for the calibration (so a host-to-switch link is measured without the link on the
/// switch's other side). The lab's workloads and timeline are not run; the lab is always taken
/// down at the end.
///
/// It lives in Core (not in the suites module) because it is a lab lifecycle of its own, like
/// the runner: up, probe in the namespaces, reshape in place, down.
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
        /// TCP per direction, measured after slow start.
        public var goodputWindow: Duration = .seconds(2)
        /// At most this long sending loss probes per direction.
        public var lossTime: Duration = .seconds(2)
        public var tolerance = Tolerance()

        public init() {}
    }

    /// When a measurement counts as right.
    public struct Tolerance: Sendable, Codable {
        /// RTT: |measured - expected| <= absolute + relative x expected + the jitter of both directions.
        /// The absolute part covers the probes' own round trip through two threads and the
        /// kernel: 0.15-0.4 ms over an unshaped veth on a busy 2-core machine.
        public var rttAbsoluteMilliseconds = 0.5
        public var rttRelative = 0.03
        /// Goodput: within [1 - below, 1 + above] x the payload share of the configured rate.
        public var goodputBelow = 0.10
        public var goodputAbove = 0.03
        /// Loss: within this many binomial standard deviations (plus one datagram) of the configured loss.
        public var lossSigmas = 3.0

        public init() {}
    }

    /// Brings the lab up (a lab of that name must not be up), measures, and takes it down.
    /// `progress` gets a line per measurement as it starts; when `shouldStop` turns true
    /// (Ctrl-C) the calibration stops after the current measurement, takes the lab down and
    /// throws `CancellationError`.
    public static func run(
        _ lab: ResolvedLab, labText: String, options: Options = Options(), logger: Logger,
        machine: MachineCapabilities? = nil, progress: @escaping @Sendable (String) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> CalibrationReport {
        let machine = machine ?? MachineCapabilities.probe()
        guard machine.canCreateNamespaces else { throw CoreError.needsPrivileges("calibrating a lab") }
        if let unknown = options.links?.first(where: { lab.link(named: $0) == nil }) {
            throw CoreError.unknownLink(lab: lab.name, link: unknown, known: lab.links.map(\.name))
        }
        let links = lab.links.filter { options.links?.contains($0.name) ?? true }

        var baseline: Double?
        if options.goodput, links.contains(where: { $0.aToB.rate != nil || $0.bToA.rate != nil }) {
            progress("baseline: TCP over an unshaped veth")
            baseline = try? measureBaseline(logger: logger, machine: machine)
        }

        let engine = HostedEngine(logger: logger)
        progress("up: \(lab.name)")
        let state: LabState
        do {
            state = try LabLifecycle.up(lab, labText: labText, logger: logger, machine: machine, startEngine: engine.start)
        } catch {
            engine.stop()  // up rolls the lab back, but an engine it started runs here
            throw error
        }
        defer {
            engine.stop()
            _ = try? LabLifecycle.down(lab: lab.name, logger: logger)
        }
        let ends = try ProbeEnds(lab: lab)
        var results: [LinkCalibration] = []
        for link in links {
            let backend = try state.link(named: link.name).reason
            var result = LinkCalibration(link: link.name, backend: backend, a: link.a.node, b: link.b.node, probe: "", measurements: [])
            do {
                let (a, b) = try ends.ends(of: link)
                let calibrator = LinkCalibrator(
                    link: link, lab: lab.name, a: a, b: b, options: options, baseline: baseline, logger: logger, progress: progress)
                result.probe = calibrator.probeDescription
                result.measurements = try calibrator.measure(shouldStop: shouldStop)
            } catch let error as CancellationError {
                throw error
            } catch {
                result.measurements = [.failed("all", "\(error)")]
            }
            results.append(result)
        }
        return CalibrationReport(
            lab: lab.name, file: lab.file, date: Date(), kernel: machine.kernelRelease, netem: machine.hasNetem,
            cores: ProcessInfo.processInfo.activeProcessorCount, baselineBitsPerSecond: baseline, tolerance: options.tolerance,
            links: results)
    }

    /// TCP goodput over an unshaped veth between two namespaces (a lab of its own): what this
    /// machine can move with the probe, the ceiling of what can be checked.
    static func measureBaseline(logger: Logger, machine: MachineCapabilities) throws -> Double {
        let name = "nlcal-\(String(getpid(), radix: 36))"
        let text = """
            name: \(name)
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b], backend: kernel }]
            """
        let lab = try ResolvedLab.parse(yaml: text, file: "<calibration baseline>")
        let state = try LabLifecycle.up(lab, labText: text, logger: logger, machine: machine, startEngine: { _, _ in nil })
        defer { _ = try? LabLifecycle.down(lab: name, logger: logger) }
        let (a, b) = try ProbeEnds(lab: state.lab).ends(of: state.lab.links[0])
        return try Probes.goodput(from: a.namespace, to: b.namespace, address: b.address, warmUp: .milliseconds(300), window: .seconds(1))
    }
}
