// Large labs resolve correctly. Not timed here; for the speed check run
//   swift test -c release -Xswiftc -enable-testing --scratch-path .build-model --filter ScaleTests
// and read the printed durations (each should be well under 100 ms).

import Testing
@testable import NetLoomModel

@Suite struct ScaleTests {
    func timed(_ label: String, _ body: () throws -> ResolvedLab) rethrows -> ResolvedLab {
        let clock = ContinuousClock()
        var lab: ResolvedLab?
        let elapsed = try clock.measure { lab = try body() }
        print("\(label): \(elapsed)")
        return lab!
    }

    @Test func segmentOf1024() throws {
        let text = twoSwitchLab(hosts: 1024)
        let lab = try timed("1024 hosts on two switches") { try ResolvedLab.parse(yaml: text) }
        #expect(lab.nodes.count == 1026)
        #expect(lab.links.count == 1025)
        #expect(lab.node(named: "sw")?.interfaces.last?.name == "eth512")
    }

    @Test func leafSpine1024() throws {
        let text = leafSpineLab(leaves: 32, spines: 4, perLeaf: 32)
        let lab = try timed("leaf-spine of 1024 hosts (32 leaves, 4 spines)") { try ResolvedLab.parse(yaml: text) }
        #expect(lab.nodes.count == 1024 + 36)
        #expect(lab.segments.count == 1024 + 128)
        // Every host: one default route per family through its leaf.
        let host = try #require(lab.node(named: "h17x5"))
        #expect(host.routes.count == 2)
        #expect(host.routes.allSatisfy { $0.destination.isDefault && $0.nexthops.count == 1 })
        // A leaf reaches the other leaves' hosts over all 4 spines.
        let leaf = try #require(lab.node(named: "leaf1"))
        let remoteHost = try #require(lab.node(named: "h2x1")?.interfaces.first?.ipv4?.network)
        #expect(leaf.routes.first { $0.destination == remoteHost }?.nexthops.count == 4)
        // host -> leaf -> spine -> leaf -> host: 4 links x 10 us each way.
        #expect(lab.rttReference == .milliseconds(1))
        #expect(lab.warnings.isEmpty)
    }

    @Test func twoRegionsOverAWAN() throws {
        var text = """
        name: regions
        defaults: { link: { delay: 5us, rate: 100gbit } }
        nodes:
          gw[1-2]: { kind: router }
          tor[1-2]: { kind: switch }
          a[1-64]: {}
          b[1-64]: {}
        links:
          - endpoints: ["a[1-64]", tor1]
          - endpoints: ["b[1-64]", tor2]
          - endpoints: [gw1, tor1]
          - endpoints: [gw2, tor2]
          - { endpoints: [gw1, gw2], name: wan, delay: 20ms, rate: 10gbit }
        """
        text += "\n"
        let lab = try timed("two regions of 64 hosts") { try ResolvedLab.parse(yaml: text) }
        #expect(lab.segments.map { $0.ipv4?.description } == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
        #expect(lab.node(named: "gw1")?.interfaces[0].ipv4?.description == "10.0.0.65/24")
        #expect(lab.node(named: "a5")?.routes.map(\.description).first == "default via 10.0.0.65 dev eth0")
        // a -> tor -> gw -> wan -> gw -> tor -> b: 2 x (4 x 5 us + 20 ms) = 40.04 ms.
        #expect(lab.rttReference == .microseconds(40_040))
        // 10 gbit x 40.04 ms / 8 on the WAN.
        #expect(lab.link(named: "wan")?.aToB.queue == .bytes(ByteCount(bytes: 50_050_000)))
    }
}
