import Foundation
import NetLoomCore
import NetLoomModel
import Testing

/// `backend: auto` on a kernel that has sch_netem builds netem (with tbf under it)
/// instead of starting the engine. This machine lacks netem; the user-mode-linux
/// lane (scripts/uml-test-lane) runs these on a kernel that has it.
@Suite("Labs on a kernel with netem", .enabled(if: LabTests.available && LabTests.machine.hasNetem), .serialized)
struct NetemLabRootTests {
    static let lab = """
        name: NAME
        nodes:
          a: {}
          sw: { kind: switch }
          b: {}
        links:
          - endpoints: [a, sw]
          - endpoints: [sw, b]
            delay: 10ms
            jitter: 1ms
            distribution: normal
            loss: 0.1%
            rate: 100mbit
        """

    @Test func autoPicksNetemAndTheKernelHoldsWhatWasAskedFor() throws {
        try LabTests.withLab(Self.lab) { state in
            #expect(state.engine == nil && state.wireNamespace == nil)
            let link = try #require(state.links.first { $0.name == "sw--b" })
            #expect(link.backend == .kernel && link.reason == "kernel netem")
            let report = try LabStatusReader.read(lab: state.lab.name)
            let shaped = try #require(report.links.first { $0.name == "sw--b" })
            for direction in shaped.directions {
                #expect(direction.shaping.hasPrefix("netem delay 10ms 1ms loss 0.1%"), "\(direction.shaping)")
                #expect(direction.shaping.contains("| tbf rate 100Mbit"), "\(direction.shaping)")
            }
            let b = state.lab.node(named: "b")!.interfaces[0].ipv4!.address
            let ping = try LabTests.exec(state, "a", ["ping", "-c", "5", "-i", "0.2", "\(b)"])
            let average = try #require(pingAverage(ping.output), "\(ping.output)")
            // 10 ms each way; UML's clock is coarse, so the band is wide.
            #expect(average > 17 && average < 35, "RTT \(average) ms")
        }
    }

    @Test func setChangesNetemInPlace() throws {
        try LabTests.withLab(Self.lab) { state in
            let change = LinkChange.parse(link: "sw--b", words: ["delay=30ms", "from_b.loss=2%"]).change!
            try LabControl.setShaping(lab: state.lab.name, change: change, logger: LabTests.logger)
            let shaped = try #require(try LabStatusReader.read(lab: state.lab.name).links.first { $0.name == "sw--b" })
            #expect(shaped.directions[0].shaping.hasPrefix("netem delay 30ms"))
            #expect(shaped.directions[1].shaping.contains("loss 2%"))
        }
    }
}
