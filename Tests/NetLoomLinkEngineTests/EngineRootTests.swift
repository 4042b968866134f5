import Foundation
import NetLoomLinkEngine
import Testing

/// Real namespaces, real sockets: skipped without the privilege to build them.
@Suite(.serialized, .enabled(if: canBuildNamespaces, "needs CAP_NET_ADMIN and CAP_NET_RAW"))
struct EngineRootTests {
    @Test func pingSeesTheConfiguredDelay() throws {
        let topo = try WireTopology(tag: "d")
        let shaping = DirectionShaping(delay: .milliseconds(10))
        let engine = try topo.engine(aToB: shaping, bToA: shaping)
        try engine.start()
        defer { engine.stop() }
        let out = try topo.exec(topo.a, "ping", "-c", "10", "-i", "0.05", "-q", "-n", topo.addressB)
        let _ = out
        let verbose = try topo.exec(topo.a, "ping", "-c", "10", "-i", "0.05", "-n", topo.addressB)
        let rtts = pingRTTs(verbose)
        #expect(rtts.count == 10)
        let m = median(rtts)
        // Not a timing assertion: only that the delay is applied at all, both ways.
        #expect(m >= 20 && m < 40, "median RTT \(m) ms")
        let c = engine.counters()
        #expect(c[0].forwardedPackets >= 20 && c[1].forwardedPackets >= 20)
    }
}
