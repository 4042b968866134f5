// The address plan: segments, subnets, member addresses, explicit addresses.

import Testing
@testable import NetLoomModel

/// Builds a lab text of `hosts` hosts on one switch.
func starLab(hosts: Int) -> String {
    """
    name: star
    nodes:
      h[1-\(hosts)]: {}
      sw: { kind: switch }
    links:
      - endpoints: ["h[1-\(hosts)]", sw]
    """
}

/// One L2 segment of `hosts` hosts on two switches joined by a link (a Linux bridge
/// holds at most 1023 ports, so 1024 hosts need two).
func twoSwitchLab(hosts: Int) -> String {
    let half = hosts / 2
    return """
    name: star
    nodes:
      h[1-\(hosts)]: {}
      sw: { kind: switch }
      sw2: { kind: switch }
    links:
      - endpoints: ["h[1-\(half)]", sw]
      - endpoints: ["h[\(half + 1)-\(hosts)]", sw2]
      - endpoints: [sw, sw2]
    """
}

/// A leaf-spine fabric: `leaves` leaf routers, `spines` spine routers, `perLeaf` hosts per leaf (point to point).
func leafSpineLab(leaves: Int, spines: Int, perLeaf: Int, delay: String = "10us") -> String {
    var text = """
    name: fabric
    defaults:
      link: { delay: \(delay), rate: 100gbit }
    nodes:
      leaf[1-\(leaves)]: { kind: router }
      spine[1-\(spines)]: { kind: router }

    """
    for leaf in 1...leaves {
        text += "  h\(leaf)x[1-\(perLeaf)]: {}\n"
    }
    text += "links:\n"
    for leaf in 1...leaves {
        text += "  - endpoints: [\"h\(leaf)x[1-\(perLeaf)]\", leaf\(leaf)]\n"
        text += "  - endpoints: [leaf\(leaf), \"spine[1-\(spines)]\"]\n"
    }
    return text
}

@Suite struct AddressPlanTests {
    @Test func pointToPointLinksAreSegments() throws {
        let lab = try resolve(twoHosts)
        #expect(lab.segments.count == 1)
        #expect(lab.segments[0].ipv4?.description == "10.0.0.0/24")
        #expect(lab.segments[0].ipv6?.description == "fd00:6e6c::/64")
        #expect(lab.node(named: "h1")?.interfaces[0].ipv4?.description == "10.0.0.1/24")
        #expect(lab.node(named: "h2")?.interfaces[0].ipv4?.description == "10.0.0.2/24")
        #expect(lab.node(named: "h2")?.interfaces[0].ipv6?.description == "fd00:6e6c::2/64")
    }

    @Test func subnetsInFileOrderOfTheSegmentsFirstLink() throws {
        let lab = try resolve("""
        name: x
        nodes:
          a: {}
          b: {}
          c: {}
          sw: { kind: switch }
        links:
          - endpoints: [a, b]
          - endpoints: [c, sw]
          - endpoints: [b, c]
          - endpoints: [a, sw]
        """)
        #expect(lab.segments.map { $0.ipv4?.description } == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
        #expect(lab.segments.map { $0.ipv6?.description } == ["fd00:6e6c::/64", "fd00:6e6c:0:1::/64", "fd00:6e6c:0:2::/64"])
        #expect(lab.segments[1].links == ["c--sw", "a--sw"])
        #expect(lab.segments[1].members.map(\.description) == ["c:eth0", "a:eth1"])
        #expect(lab.node(named: "a")?.interfaces.map { $0.ipv4?.description } == ["10.0.0.1/24", "10.0.1.2/24"])
        #expect(lab.node(named: "sw")?.interfaces.allSatisfy { $0.ipv4 == nil && $0.ipv6 == nil } == true)
    }

    @Test func aSwitchHoldsAtMost1023Ports() throws {
        #expect(throws: LabErrors.self) { try ResolvedLab.parse(yaml: starLab(hosts: 1024)) }
        #expect(try resolve(starLab(hosts: 1023)).links.count == 1023)
    }

    @Test func segmentOf1024NeedsASlash21() throws {
        let lab = try resolve(twoSwitchLab(hosts: 1024))
        #expect(lab.segments.count == 1)
        #expect(lab.segments[0].ipv4?.description == "10.0.0.0/21")
        #expect(lab.node(named: "h1")?.interfaces[0].ipv4?.description == "10.0.0.1/21")
        #expect(lab.node(named: "h256")?.interfaces[0].ipv4?.description == "10.0.1.0/21")
        #expect(lab.node(named: "h1024")?.interfaces[0].ipv4?.description == "10.0.4.0/21")
        #expect(lab.node(named: "h1024")?.interfaces[0].ipv6?.description == "fd00:6e6c::400/64")
        let addresses = Set(lab.nodes.compactMap { $0.interfaces.first?.ipv4?.address })
        #expect(addresses.count == 1024)
        #expect(lab.nodes.allSatisfy { $0.routes.isEmpty })
    }

    @Test func segmentSizeBoundary() throws {
        #expect(try resolve(starLab(hosts: 253)).segments[0].ipv4?.length == 24)
        #expect(try resolve(starLab(hosts: 254)).segments[0].ipv4?.length == 23)
    }

    @Test func largeBlocksAreAligned() throws {
        let lab = try resolve("""
        name: x
        nodes:
          a: {}
          b: {}
          h[1-300]: {}
          sw: { kind: switch }
        links:
          - endpoints: [a, b]
          - endpoints: ["h[1-300]", sw]
          - { endpoints: [b, a], name: second }
        """)
        #expect(lab.segments.map { $0.ipv4?.description } == ["10.0.0.0/24", "10.0.2.0/23", "10.0.4.0/24"])
    }

    @Test func customPools() throws {
        let lab = try resolve("""
        name: x
        addressing: { ipv4: 192.168.0.0/16, ipv6: "2001:db8::/56" }
        nodes: { h1: {}, h2: {}, h3: {} }
        links:
          - endpoints: [h1, h2]
          - endpoints: [h2, h3]
        """)
        #expect(lab.segments.map { $0.ipv4?.description } == ["192.168.0.0/24", "192.168.1.0/24"])
        #expect(lab.segments.map { $0.ipv6?.description } == ["2001:db8::/64", "2001:db8:0:1::/64"])
    }

    @Test func poolErrors() {
        expectError("name: x\naddressing: { ipv6: \"fd00::/96\" }\nnodes: { h: {} }\n", .badValue, line: 2, column: 21, contains: "longer than /64")
        expectError("name: x\naddressing: { ipv4: 10.0.0.1/8 }\nnodes: { h: {} }\n", .badValue, line: 2, column: 21, contains: "host bits")
        expectError("""
        name: x
        addressing: { ipv4: 10.0.0.0/23 }
        nodes: { "h[1-4]": {} }
        links:
          - endpoints: ["h[1-2]", "h[3-4]"]
          - { endpoints: [h1, h4], name: third }
        """, .addressing, line: 2, column: 21, contains: "no room")
    }

    @Test func mixedMTUsOnASwitchWarn() throws {
        let lab = try resolve("""
        name: x
        nodes: { "h[1-2]": {}, sw: { kind: switch } }
        links:
          - endpoints: [h1, sw]
          - { endpoints: [h2, sw], mtu: 9000 }
        """)
        #expect(lab.warnings.map(\.message) == ["link `h2--sw` has MTU 9000 but `h1--sw` on the same switch has 1500; frames larger than the smallest MTU are dropped"])
        #expect(lab.warnings.first?.location.line == 5)
    }

    @Test func ipv6Off() throws {
        let lab = try resolve("""
        name: x
        settings: { ipv6: false }
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
        """)
        #expect(lab.segments[0].ipv6 == nil)
        #expect(lab.nodes[0].interfaces[0].ipv6 == nil)
        #expect(lab.nodes[0].sysctls.contains(Sysctl(key: "net.ipv6.conf.all.disable_ipv6", value: "1")))
    }
}

@Suite struct ExplicitAddressTests {
    @Test func explicitAddressesWin() throws {
        let lab = try resolve("""
        name: x
        nodes: { r1: { kind: router }, r2: { kind: router } }
        links:
          - endpoints: ["r1:wan0", "r2:wan0"]
            ipv4: [10.9.0.1/30, 10.9.0.2/30]
            ipv6: [fd00:9::1/64, null]
        """)
        #expect(lab.segments[0].ipv4?.description == "10.9.0.0/30")
        #expect(lab.node(named: "r1")?.interfaces[0].ipv4?.description == "10.9.0.1/30")
        #expect(lab.node(named: "r2")?.interfaces[0].ipv4?.description == "10.9.0.2/30")
        #expect(lab.node(named: "r1")?.interfaces[0].ipv6?.description == "fd00:9::1/64")
        #expect(lab.node(named: "r2")?.interfaces[0].ipv6?.description == "fd00:9::2/64")
        #expect(lab.node(named: "r2")?.interfaces[0].name == "wan0")
    }

    @Test func automaticMembersFillTheExplicitSubnetAroundUsedAddresses() throws {
        let lab = try resolve("""
        name: x
        nodes:
          gw: { kind: router }
          h[1-3]: {}
          sw: { kind: switch }
          other: {}
        links:
          - endpoints: [other, gw]
          - endpoints: ["h[1-2]", sw]
          - endpoints: [gw, sw]
            ipv4: [192.168.5.1/24, null]
          - endpoints: [h3, sw]
        """)
        #expect(lab.segments[0].ipv4?.description == "10.0.0.0/24")
        #expect(lab.segments[1].ipv4?.description == "192.168.5.0/24")
        #expect(lab.node(named: "h1")?.interfaces[0].ipv4?.description == "192.168.5.2/24")
        #expect(lab.node(named: "h2")?.interfaces[0].ipv4?.description == "192.168.5.3/24")
        #expect(lab.node(named: "h3")?.interfaces[0].ipv4?.description == "192.168.5.4/24")
        #expect(lab.node(named: "h3")?.routes.first?.description == "default via 192.168.5.1 dev eth0")
    }

    @Test func automaticSubnetsSkipExplicitOnes() throws {
        let lab = try resolve("""
        name: x
        nodes: { "h[1-4]": {} }
        links:
          - { endpoints: [h1, h2], ipv4: [10.0.0.1/24, 10.0.0.2/24] }
          - endpoints: [h3, h4]
        """)
        #expect(lab.segments[1].ipv4?.description == "10.0.1.0/24")
    }

    @Test func clashes() {
        let base = """
        name: x
        nodes: { "h[1-4]": {}, sw: { kind: switch } }
        links:

        """
        expectError(base + """
          - { endpoints: [h1, h2], ipv4: [10.9.0.1/24, 10.9.0.1/24] }
        """, .addressing, line: 4, column: 48, contains: "already used")
        expectError(base + """
          - { endpoints: [h1, sw], ipv4: [10.9.0.1/24, null] }
          - { endpoints: [h2, sw], ipv4: [10.8.0.1/24, null] }
        """, .addressing, line: 5, column: 35, contains: "not in the subnet 10.9.0.0/24 of its segment")
        expectError(base + """
          - { endpoints: [h1, h2], ipv4: [10.9.0.1/16, 10.9.0.2/16] }
          - { endpoints: [h3, h4], ipv4: [10.9.1.1/24, 10.9.1.2/24] }
        """, .addressing, line: 5, column: 35, contains: "overlaps 10.9.0.0/16")
        expectError(base + """
          - { endpoints: [h1, sw], ipv4: [null, 10.9.0.1/24] }
        """, .addressing, line: 4, column: 41, contains: "switch ports get no addresses")
        expectError(base + """
          - { endpoints: [h1, h2], ipv4: [10.9.0.0/24, 10.9.0.2/24] }
        """, .addressing, line: 4, column: 35, contains: "network address")
        expectError(base + """
          - { endpoints: [h1, h2], ipv4: [10.9.0.1/24] }
        """, .badValue, line: 4, column: 34, contains: "expected two addresses")
        expectError(base + """
          - { endpoints: [h1, h2], ipv4: [fd00::1/64, null] }
        """, .badValue, line: 4, column: 35, contains: "not an IPv4 address")
        expectError(base + """
          - { endpoints: ["h[1-2]", sw], ipv4: [10.9.0.1/24, null] }
        """, .addressing, line: 4, column: 40, contains: "makes 2")
    }

    @Test func fullExplicitSubnet() {
        expectError("""
        name: x
        nodes: { "h[1-3]": {}, sw: { kind: switch } }
        links:
          - { endpoints: [h1, sw], ipv4: [10.9.0.1/30, null] }
          - endpoints: ["h[2-3]", sw]
        """, .addressing, line: 4, column: 35, contains: "too small for its 3 members")
    }
}
