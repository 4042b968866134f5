// The route plan: router chains, leaf-spine ECMP, default-route compression, unreachable warnings.

import Testing
@testable import NetLoomModel

extension ResolvedLab {
    func routes(of node: String) -> [String] { self.node(named: node)?.routes.map(\.description) ?? [] }
    func address(_ node: String, _ interface: Int = 0) -> String {
        self.node(named: node)?.interfaces[interface].ipv4?.address.description ?? "?"
    }
}

@Suite struct RoutePlanTests {
    @Test func hostsOnOneSwitchNeedNoRoutes() throws {
        let lab = try resolve(starLab(hosts: 8))
        #expect(lab.nodes.allSatisfy { $0.routes.isEmpty })
        #expect(lab.warnings.isEmpty)
    }

    @Test func routerChain() throws {
        // h1 - r1 - r2 - r3 - h2
        let lab = try resolve("""
        name: chain
        nodes:
          h1: {}
          h2: {}
          r[1-3]: { kind: router }
        links:
          - endpoints: [h1, r1]
          - endpoints: [r1, r2]
          - endpoints: [r2, r3]
          - endpoints: [r3, h2]
        settings: { ipv6: false }
        """)
        // Segments: 10.0.0.0/24 h1-r1, .1 r1-r2, .2 r2-r3, .3 r3-h2.
        #expect(lab.routes(of: "h1") == ["default via 10.0.0.2 dev eth0"])
        #expect(lab.routes(of: "h2") == ["default via 10.0.3.1 dev eth0"])
        // r1 reaches .2 and .3 via r2 only: one next-hop set -> default route.
        #expect(lab.routes(of: "r1") == ["default via 10.0.1.2 dev eth1"])
        // r2 has two directions: specific routes.
        #expect(lab.routes(of: "r2") == ["10.0.0.0/24 via 10.0.1.1 dev eth0", "10.0.3.0/24 via 10.0.2.2 dev eth1"])
        #expect(lab.node(named: "r2")?.sysctls == [Sysctl(key: "net.ipv6.conf.all.disable_ipv6", value: "1"),
                                                    Sysctl(key: "net.ipv6.conf.default.disable_ipv6", value: "1"),
                                                    Sysctl(key: "net.ipv4.ip_forward", value: "1")])
    }

    @Test func ipv6RoutesFollowIPv4() throws {
        let lab = try resolve("""
        name: chain
        nodes: { h1: {}, h2: {}, r: { kind: router } }
        links:
          - endpoints: [h1, r]
          - endpoints: [r, h2]
        """)
        #expect(lab.routes(of: "h1") == ["default via 10.0.0.2 dev eth0", "default via fd00:6e6c::2 dev eth0"])
        #expect(lab.node(named: "r")?.sysctls.map(\.key) == ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"])
    }

    @Test func leafSpineECMP() throws {
        let lab = try resolve(leafSpineLab(leaves: 2, spines: 2, perLeaf: 2))
        // Links in order: h1x1-leaf1, h1x2-leaf1, leaf1-spine1, leaf1-spine2, h2x1-leaf2, h2x2-leaf2, leaf2-spine1, leaf2-spine2
        // -> segments 10.0.0..7.0/24 in that order.
        #expect(lab.routes(of: "h1x1").first == "default via 10.0.0.2 dev eth0")
        let leaf1 = lab.routes(of: "leaf1").filter { !$0.contains(":") }
        // Remote: 10.0.4 (h2x1), 10.0.5 (h2x2), 10.0.6 (leaf2-spine1), 10.0.7 (leaf2-spine2).
        // The other leaf's hosts over both spines (ECMP); each spine's link to leaf2 through that spine only.
        #expect(leaf1 == [
            "10.0.4.0/24 via 10.0.2.2 dev eth2 via 10.0.3.2 dev eth3", "10.0.5.0/24 via 10.0.2.2 dev eth2 via 10.0.3.2 dev eth3",
            "10.0.6.0/24 via 10.0.2.2 dev eth2", "10.0.7.0/24 via 10.0.3.2 dev eth3",
        ])
        // Spines reach each leaf's hosts through that leaf, and the other spine's links too.
        let spine1 = lab.routes(of: "spine1").filter { !$0.contains(":") }
        #expect(spine1 == [
            "10.0.0.0/24 via 10.0.2.1 dev eth0", "10.0.1.0/24 via 10.0.2.1 dev eth0", "10.0.3.0/24 via 10.0.2.1 dev eth0",
            "10.0.4.0/24 via 10.0.6.1 dev eth1", "10.0.5.0/24 via 10.0.6.1 dev eth1", "10.0.7.0/24 via 10.0.6.1 dev eth1",
        ])
        #expect(lab.warnings.isEmpty)
    }

    @Test func equalPathsOverParallelLinksAreECMP() throws {
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes: { h1: {}, h2: {}, r1: { kind: router }, r2: { kind: router } }
        links:
          - endpoints: [h1, r1]
          - endpoints: [r1, r2]
          - { endpoints: [r1, r2], name: second }
          - endpoints: [r2, h2]
        """)
        #expect(lab.routes(of: "r1") == ["default via 10.0.1.2 dev eth1 via 10.0.2.2 dev eth2"])
        #expect(lab.routes(of: "h1") == ["default via 10.0.0.2 dev eth0"])
    }

    @Test func shorterPathWins() throws {
        // h - r1 - r2 - r3 and r1 - r3 directly: r1 reaches r3's far side in one hop.
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes: { h: {}, far: {}, "r[1-3]": { kind: router } }
        links:
          - endpoints: [h, r1]
          - endpoints: [r1, r2]
          - endpoints: [r2, r3]
          - endpoints: [r1, r3]
          - endpoints: [r3, far]
        """)
        // Segments: 0 h-r1, 1 r1-r2, 2 r2-r3, 3 r1-r3, 4 r3-far.
        #expect(lab.routes(of: "r1") == [
            "10.0.2.0/24 via 10.0.1.2 dev eth1 via 10.0.3.2 dev eth2",
            "10.0.4.0/24 via 10.0.3.2 dev eth2",
        ])
    }

    @Test func hostsDoNotForward() throws {
        // r1 - h - r2: h is not a transit, so r1 cannot reach r2's other side.
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes: { h: {}, r1: { kind: router }, r2: { kind: router }, x: {} }
        links:
          - endpoints: [r1, h]
          - endpoints: [h, r2]
          - endpoints: [r2, x]
        """)
        #expect(lab.routes(of: "r1").isEmpty)
        let warning = lab.warnings.first { $0.message.contains("`r1` cannot reach 2 subnets") }
        #expect(warning?.location.line == 3)
        #expect(warning?.location.column == 17)
    }

    @Test func disconnectedIslandsWarn() throws {
        let lab = try resolve("""
        name: x
        nodes: { "h[1-4]": {}, lonely: {} }
        links:
          - endpoints: [h1, h2]
          - endpoints: [h3, h4]
        """)
        #expect(lab.warnings.count == 3)
        #expect(lab.warnings.contains { $0.message == "`lonely` has no links" })
        #expect(lab.warnings.contains { $0.message.hasPrefix("2 nodes (h1 ... h2) cannot reach 1 subnet (e.g. 10.0.1.0/24 of link h3--h4)") })
    }

    @Test func gatewayOnASwitch() throws {
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes:
          h[1-3]: {}
          sw: { kind: switch }
          gw: { kind: router }
          wan: {}
        links:
          - endpoints: ["h[1-3]", sw]
          - endpoints: [gw, sw]
          - endpoints: [gw, wan]
        """)
        #expect(lab.routes(of: "h2") == ["default via 10.0.0.4 dev eth0"])
        #expect(lab.routes(of: "wan") == ["default via 10.0.1.1 dev eth0"])
    }

    @Test func twoGatewaysOnASwitchAreECMP() throws {
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes:
          h[1-2]: {}
          sw: { kind: switch }
          gw[1-2]: { kind: router }
          core: { kind: router }
          far: {}
        links:
          - endpoints: ["h[1-2]", sw]
          - endpoints: ["gw[1-2]", sw]
          - endpoints: ["gw[1-2]", core]
          - endpoints: [core, far]
        """)
        // Segment 0: h1 .1, h2 .2, gw1 .3, gw2 .4.
        // Each gateway's own core link through that gateway; the far side over both (ECMP).
        #expect(lab.routes(of: "h1") == [
            "10.0.1.0/24 via 10.0.0.3 dev eth0", "10.0.2.0/24 via 10.0.0.4 dev eth0",
            "10.0.3.0/24 via 10.0.0.3 dev eth0 via 10.0.0.4 dev eth0",
        ])
        #expect(lab.routes(of: "far") == ["default via 10.0.3.1 dev eth0"])
        // core's only remote segment is the hosts' switch: compressed to a default route.
        #expect(lab.routes(of: "core") == ["default via 10.0.1.1 dev eth0 via 10.0.2.1 dev eth1"])
    }
}
