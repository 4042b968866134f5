import Foundation
import NetLoomCore
import NetLoomModel
import Testing

/// `netloom calibrate` in real labs: measured delays within tolerance, on a host-to-host link and on a
/// host-to-switch link (probed at an address added to the switch's bridge); a lossy link's goodput
/// (measured with the loss off) and loss.
@Suite("Calibration in real labs", .enabled(if: RootLabs.available, "needs root (network namespaces)"), .serialized)
struct CalibrationRootTests {
    static func lab() throws -> (ResolvedLab, String) {
        let text = """
            name: \(RootLabs.uniqueName())
            nodes: { h1: {}, h2: {}, sw: { kind: switch }, far: {} }
            links:
              - endpoints: [h1, sw]
                backend: userspace
                delay: 10ms
              - endpoints: [h2, sw]
              - endpoints: [h2, far]
                name: wan
                backend: userspace
                delay: 10ms
                from_b: { delay: 15ms }
                rate: 100mbit
            """
        return (try ResolvedLab.parse(yaml: text, file: "<calibration test>"), text)
    }

    @Test func measuredDelaysAreWithinTolerance() throws {
        let (lab, text) = try Self.lab()
        var options = Calibration.Options()
        options.goodput = false
        options.loss = false
        options.probes = 20
        let report = try Calibration.run(lab, labText: text, options: options, logger: RootLabs.logger, machine: RootLabs.machine)
        #expect(RootLabs.namespaces(of: lab.name).isEmpty, "the lab came down")
        #expect(report.links.map(\.link) == ["h1--sw", "h2--sw", "wan"])

        let wan = try #require(report.links.first { $0.link == "wan" })
        let rtt = try #require(wan.measurements.first)
        #expect(rtt.quantity == "RTT")
        #expect(rtt.configured == 25, "10 ms there, 15 ms back")
        let measured = try #require(rtt.measured)
        #expect(rtt.verdict == .ok, "measured \(measured) ms for 25 ms (\(rtt.tolerance))")
        #expect(measured >= 25 && measured < 26.5)

        let switchLink = try #require(report.links.first { $0.link == "h1--sw" })
        #expect(switchLink.probe.contains("probe address on a switch's bridge"), "\(switchLink.probe)")
        let switchRTT = try #require(switchLink.measurements.first?.measured)
        #expect(switchLink.measurements.first?.verdict == .ok, "measured \(switchRTT) ms for 20 ms")
        #expect(switchRTT >= 20 && switchRTT < 21.5, "only this link: not the switch's other links")

        let unshaped = try #require(report.links.first { $0.link == "h2--sw" }?.measurements.first?.measured)
        #expect(unshaped < 1)
        let problems = report.links.flatMap { link in
            link.measurements.filter { $0.verdict != .ok }.map { "\(link.link) \($0.quantity): \($0.measured ?? -1) \($0.note ?? "")" }
        }
        #expect(report.problems == 0, "\(problems)")
    }

    @Test func aMeasurementOutsideToleranceIsFlagged() throws {
        let (lab, text) = try Self.lab()
        var options = Calibration.Options()
        options.links = ["wan"]
        options.goodput = false
        options.loss = false
        options.probes = 10
        // No link can be this exact: every measurement is flagged.
        options.tolerance.rttAbsoluteMilliseconds = 0
        options.tolerance.rttRelative = 0
        let report = try Calibration.run(lab, labText: text, options: options, logger: RootLabs.logger, machine: RootLabs.machine)
        #expect(report.links.count == 1)
        #expect(report.links[0].measurements.first?.verdict == .outside)
        #expect(report.problems == 1)
        #expect(!report.links[0].withinTolerance)
    }

    @Test func lossAndGoodputOfALossyLink() throws {
        let text = """
            name: \(RootLabs.uniqueName())
            nodes: { h1: {}, h2: {} }
            links:
              - endpoints: [h1, h2]
                backend: userspace
                delay: 2ms
                rate: 50mbit
                loss: 2%
            """
        let lab = try ResolvedLab.parse(yaml: text, file: "<calibration test>")
        var options = Calibration.Options()
        options.probes = 10
        options.goodputWindow = .milliseconds(700)
        options.lossTime = .seconds(1)
        let report = try Calibration.run(lab, labText: text, options: options, logger: RootLabs.logger, machine: RootLabs.machine)
        #expect(RootLabs.namespaces(of: lab.name).isEmpty, "the lab came down")
        let rows = try #require(report.links.first?.measurements)
        #expect(rows.map(\.quantity) == ["RTT", "goodput a->b", "goodput b->a", "loss a->b", "loss b->a"])
        for row in rows where row.quantity.hasPrefix("goodput") {
            #expect(row.verdict == .ok, "\(row.quantity): \(row.measured ?? 0) Mbit/s for \(row.expected ?? 0)")
            #expect(row.note?.contains("loss") == true, "measured with the loss off")
        }
        for row in rows where row.quantity.hasPrefix("loss") {
            #expect(abs((row.configured ?? 0) - 2) < 1e-9)
            #expect(row.verdict == .ok, "\(row.quantity): \(row.measured ?? 0)% (\(row.tolerance)), \(row.note ?? "")")
        }
    }
}
