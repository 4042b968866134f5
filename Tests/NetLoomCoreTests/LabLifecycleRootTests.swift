import Foundation
import NetLoomCore
import NetLoomKernel
import NetLoomModel
import Testing

/// Whole labs on the real kernel: build, reach, read back, tear down.
@Suite("Lab lifecycle in real namespaces", .enabled(if: LabTests.available), .serialized)
struct LabLifecycleRootTests {
    static let routed = """
        name: NAME
        nodes:
          h[1-2]: { kind: host }
          sw: { kind: switch }
          r1: { kind: router }
          far: { kind: host }
        links:
          - endpoints: ["h[1-2]", sw]
            rate: 200mbit
          - endpoints: [sw, r1]
          - endpoints: [r1, far]
            rate: 1gbit
            from_b: { rate: 100mbit, queue: 500p }
        """

    @Test func hostsReachEachOtherAcrossASwitchAndARouterOverIPv4AndIPv6() throws {
        try LabTests.withLab(Self.routed) { state in
            let lab = state.lab
            let h2 = try #require(lab.node(named: "h2")?.interfaces.first)
            let far = try #require(lab.node(named: "far")?.interfaces.first)
            for target in [h2.ipv4!.address, far.ipv4!.address, h2.ipv6!.address, far.ipv6!.address] {
                let result = try LabTests.exec(state, "h1", ["ping", "-c", "1", "-W", "2", "\(target)"])
                #expect(result.status == 0, "h1 -> \(target): \(result.output)")
            }
            // A node is a plain named namespace: `ip netns exec` works on it.
            let shown = try LabTests.run("/usr/sbin/ip", ["netns", "exec", "\(lab.name).far", "ip", "-br", "addr"])
            #expect(shown.output.contains("\(far.ipv4!)"))
        }
    }

    /// A host announcing a new IPv6 address sends MLD reports to ff02::16; the switch
    /// must not flood them to the other hosts (N^2 frames on a big switch), while the
    /// neighbour solicitations that follow still reach everyone.
    @Test(.enabled(if: LabTests.kernelHasIngressFilters, "needs clsact, cls_u32 and act_mirred"))
    func aSwitchKeepsMLDReportsFromItsOtherPorts() throws {
        try LabTests.withLab(Self.routed) { state in
            let h2 = try #require(state.lab.node(named: "h2")?.interfaces.first)
            let receivedAtH1 = {  // frames; veth keeps no multicast count, and nothing else is sent in a quiet lab
                let shown = try LabTests.exec(state, "h1", ["ip", "-s", "-j", "link", "show", "dev", "\(state.lab.node(named: "h1")!.interfaces[0].name)"])
                let links = try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [[String: Any]]
                let received = (links?.first?["stats64"] as? [String: Any])?["rx"] as? [String: Any]
                return try #require(received?["packets"] as? Int, "\(shown.output)")
            }
            let before = try receivedAtH1()
            #expect(try LabTests.exec(state, "h2", ["ip", "address", "add", "fd99::2/64", "dev", h2.name, "nodad"]).status == 0)
            Thread.sleep(forTimeInterval: 0.3)
            #expect(try receivedAtH1() == before)
            #expect(try LabTests.exec(state, "h1", ["ip", "address", "add", "fd99::1/64", "dev", state.lab.node(named: "h1")!.interfaces[0].name, "nodad"]).status == 0)
            let ping = try LabTests.exec(state, "h1", ["ping", "-c", "1", "-W", "2", "fd99::2"])
            #expect(ping.status == 0, "\(ping.output)")
        }
    }

    @Test func statusReadsShapingBackFromTheKernel() throws {
        try LabTests.withLab(Self.routed) { state in
            let report = try LabStatusReader.read(lab: state.lab.name)
            let link = try #require(report.links.first { $0.name == "r1--far" })
            #expect(link.up && link.backend == .kernel)
            #expect(link.directions[0].shaping.hasPrefix("tbf rate 1Gbit"))
            #expect(link.directions[1].shaping.contains("tbf rate 100Mbit"))
            #expect(link.directions[1].shaping.contains("limit 757kB"))  // 500 packets of 1514 bytes
            #expect(report.nodes.allSatisfy { $0.present })
            let unshaped = try #require(report.links.first { $0.name == "sw--r1" })
            #expect(unshaped.directions.allSatisfy { $0.shaping.contains("noqueue") })
        }
    }

    @Test func downRemovesEverythingAndIsIdempotent() throws {
        let (lab, text) = try LabTests.lab(Self.routed)
        _ = try LabLifecycle.up(lab, labText: text, logger: LabTests.logger, machine: LabTests.machine)
        #expect(LabTests.namespaces(of: lab.name).count == 5)
        let report = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(report.removedNamespaces.count == 5)
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
        #expect(!LabDirectory(lab: lab.name).exists)
        let again = try LabLifecycle.down(lab: lab.name, logger: LabTests.logger)
        #expect(again.removedNamespaces.isEmpty)
    }

    @Test func setChangesAKernelLinkInPlace() throws {
        try LabTests.withLab(Self.routed) { state in
            let before = try LabStatusReader.read(lab: state.lab.name).links.first { $0.name == "h1--sw" }
            #expect(before?.directions[0].shaping.hasPrefix("tbf rate 200Mbit") == true)
            let change = LinkChange.parse(link: "h1--sw", words: ["rate=50mbit", "from_b.rate=10mbit"]).change!
            try LabControl.setShaping(lab: state.lab.name, change: change, logger: LabTests.logger)
            let after = try LabStatusReader.read(lab: state.lab.name).links.first { $0.name == "h1--sw" }
            #expect(after?.directions[0].shaping.hasPrefix("tbf rate 50Mbit") == true)
            #expect(after?.directions[1].shaping.hasPrefix("tbf rate 10Mbit") == true)
            // Changes add up: the next one keeps from_b's rate.
            try LabControl.setShaping(
                lab: state.lab.name, change: LinkChange.parse(link: "h1--sw", words: ["from_a.rate=70mbit"]).change!,
                logger: LabTests.logger)
            let third = try LabStatusReader.read(lab: state.lab.name).links.first { $0.name == "h1--sw" }
            #expect(third?.directions[0].shaping.hasPrefix("tbf rate 70Mbit") == true)
            #expect(third?.directions[1].shaping.hasPrefix("tbf rate 10Mbit") == true)
        }
    }

    @Test func aKernelLinkGoesDownAndComesBackWithItsRoutes() throws {
        try LabTests.withLab(Self.routed) { state in
            let far = try #require(state.lab.node(named: "far")?.interfaces.first?.ipv4?.address)
            try LabControl.setLink(lab: state.lab.name, link: "r1--far", up: false, logger: LabTests.logger)
            #expect(try LabTests.exec(state, "h1", ["ping", "-c", "1", "-W", "1", "\(far)"]).status != 0)
            #expect(try LabStatusReader.read(lab: state.lab.name).links.first { $0.name == "r1--far" }?.up == false)
            try LabControl.setLink(lab: state.lab.name, link: "r1--far", up: true, logger: LabTests.logger)
            let back = try LabTests.exec(state, "h1", ["ping", "-c", "1", "-W", "2", "\(far)"])
            #expect(back.status == 0, "\(back.output)")
        }
    }

    @Test func twoLabsRunSideBySideWithTheSameAddresses() throws {
        try LabTests.withLab(Self.routed) { first in
            try LabTests.withLab(Self.routed) { second in
                #expect(first.lab.name != second.lab.name)
                let far = second.lab.node(named: "far")!.interfaces[0].ipv4!.address
                #expect(try LabTests.exec(first, "h1", ["ping", "-c", "1", "-W", "2", "\(far)"]).status == 0)
                #expect(try LabTests.exec(second, "h1", ["ping", "-c", "1", "-W", "2", "\(far)"]).status == 0)
                try LabLifecycle.down(lab: second.lab.name, logger: LabTests.logger)
                #expect(try LabTests.exec(first, "h1", ["ping", "-c", "1", "-W", "2", "\(far)"]).status == 0)
            }
        }
    }

    @Test func aSecondCommandOnABusyLabIsRefused() throws {
        try LabTests.withLab(Self.routed) { state in
            let lock = try LabLock(directory: LabDirectory(lab: state.lab.name))
            #expect(throws: CoreError.busy(lab: state.lab.name)) {
                try LabControl.setLink(lab: state.lab.name, link: "h1--sw", up: false, logger: LabTests.logger)
            }
            withExtendedLifetime(lock) {}
        }
    }
}
