// rttReference and the automatic queue size.

import Testing
@testable import NetLoomModel

@Suite struct QueueSizingTests {
    @Test func formula() {
        // 10 gbit x 100 ms / 8 = 125 MB
        #expect(LabBuilder.automaticQueueBytes(rate: .gbit(10), rtt: .milliseconds(100), mtu: 1500) == 125_000_000)
        // Floor: 100 x (1500 + 14)
        #expect(LabBuilder.automaticQueueBytes(rate: .mbit(1), rtt: .milliseconds(1), mtu: 1500) == 151_400)
        #expect(LabBuilder.automaticQueueBytes(rate: .mbit(1), rtt: .milliseconds(1), mtu: 9000) == 901_400)
        // Capped at the kernel's 32-bit limit.
        #expect(LabBuilder.automaticQueueBytes(rate: .gbit(1000), rtt: .seconds(3600), mtu: 1500) == UInt64(UInt32.max))
    }

    @Test func rttIsTheLongestRoutedRoundTrip() throws {
        // h1 -(10ms)- r -(20ms, 30ms back)- h2, and h3 on r with 1 ms.
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {}, h3: {}, r: { kind: router } }
        links:
          - { endpoints: [h1, r], delay: 10ms, rate: 1gbit }
          - { endpoints: [r, h2], delay: 20ms, from_b: { delay: 30ms } }
          - { endpoints: [h3, r], delay: 1ms }
        """)
        // h1 <-> h2: 10 + 20 there, 30 + 10 back = 70 ms.
        #expect(lab.rttReference == .milliseconds(70))
        // 1 gbit x 70 ms / 8 = 8.75 MB in both directions of the rated link.
        #expect(lab.links[0].aToB.queue == .bytes(ByteCount(bytes: 8_750_000)))
        #expect(lab.links[0].bToA.queue == .bytes(ByteCount(bytes: 8_750_000)))
        // No rate: the backend decides.
        #expect(lab.links[1].aToB.queue == .auto)
    }

    @Test func rttAcrossASwitchTree() throws {
        let lab = try resolve("""
        name: x
        nodes:
          core: { kind: switch }
          e[1-2]: { kind: switch }
          h[1-2]: {}
        links:
          - { endpoints: ["e[1-2]", core], delay: 5ms }
          - { endpoints: [h1, e1], delay: 1ms }
          - { endpoints: [h2, e2], delay: 2ms, from_a: { delay: 3ms } }
        """)
        // h1 -> h2: 1 + 5 + 5 + 2 = 13; h2 -> h1: 3 + 5 + 5 + 1 = 14.
        #expect(lab.rttReference == .milliseconds(27))
    }

    @Test func rttPicksTheSlowestECMPPath() throws {
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {}, a: { kind: router }, b: { kind: router }, "s[1-2]": { kind: router } }
        links:
          - endpoints: [h1, a]
          - { endpoints: [a, s1], delay: 1ms }
          - { endpoints: [a, s2], delay: 7ms }
          - endpoints: ["s[1-2]", b]
          - endpoints: [b, h2]
        """)
        #expect(lab.rttReference == .milliseconds(14))
    }

    @Test func rttHasAFloorOfOneMillisecond() throws {
        #expect(try resolve(twoHosts).rttReference == .milliseconds(1))
    }

    @Test func explicitQueueWins() throws {
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], rate: 1gbit, queue: 1000p, from_b: { queue: 2MB } }
        """)
        #expect(lab.links[0].aToB.queue == .packets(1000))
        #expect(lab.links[0].bToA.queue == .bytes(ByteCount(bytes: 2_000_000)))
    }

    @Test func autoQueueUsesTheLinksMTU() throws {
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], rate: 10mbit, mtu: 9000 }
        """)
        #expect(lab.links[0].aToB.queue == .bytes(ByteCount(bytes: 901_400)))
        #expect(lab.links[0].mtu == 9000)
        #expect(lab.nodes[0].interfaces[0].mtu == 9000)
    }
}
