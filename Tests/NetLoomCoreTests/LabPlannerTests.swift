import NetLoomCore
import NetLoomKernel
import NetLoomModel
import Testing

/// Planning needs no root: backends, indexes and qdisc trees are pure functions of
/// the lab and the machine's capabilities.
@Suite("Lab planning")
struct LabPlannerTests {
    static func machine(netem: Bool, kernel: String = "6.18.44") -> MachineCapabilities {
        MachineCapabilities(
            kernelRelease: kernel, hasNetAdmin: true, hasSysAdmin: true, canCreateNamespaces: true,
            qdiscKinds: ["netem": netem, "tbf": true, "htb": true], hasPacketSockets: true, libnlVersion: "3.7.0",
            libmnlLibrary: "libmnl.so.0")
    }

    static let lab = """
        name: plan
        nodes:
          h[1-2]: {}
          sw: { kind: switch }
          r: { kind: router }
        links:
          - endpoints: ["h[1-2]", sw]
            rate: 1gbit
          - endpoints: [sw, r]
          - endpoints: [r, h1]
            name: wan
            delay: 10ms
            jitter: 1ms
            distribution: normal
            rate: 100mbit
            loss: 1%
        """

    func plan(_ yaml: String = Self.lab, netem: Bool) throws -> LabPlan {
        let table = NetemDistribution(name: "normal", table: [-1, 0, 1])
        return try LabPlanner.plan(
            try ResolvedLab.parse(yaml: yaml), instance: "abc", machine: Self.machine(netem: netem), distribution: { _ in table })
    }

    @Test func autoUsesTheEngineForDelayWhenTheKernelLacksNetem() throws {
        let plan = try plan(netem: false)
        let wan = try #require(plan.links.first { $0.name == "wan" })
        #expect(wan.backend == .userspace)
        #expect(wan.wireA == VethEnd(namespace: "plan._wire", interface: "l3a", index: 2))
        #expect(wan.wireB == VethEnd(namespace: "plan._wire", interface: "l3b", index: 3))
        #expect(plan.wireNamespace == "plan._wire")
        #expect(plan.namespaces.last?.name == "plan._wire")
        // Rate-only links stay on tbf in the kernel.
        #expect(plan.links.first { $0.name == "h1--sw" }?.backend == .kernel)
        #expect(plan.veths.count == 5)  // 3 kernel links + 2 pairs for the wan
    }

    @Test func autoUsesNetemWithATbfChildWhereTheKernelHasIt() throws {
        let plan = try plan(netem: true)
        #expect(plan.wireNamespace == nil)
        let r = try #require(plan.namespaces.first { $0.node == "r" })
        let egress = try #require(r.interfaces.first { $0.name == "eth1" }?.egress)
        let netem = try #require(egress.netem)
        #expect(netem.delay == .milliseconds(10) && netem.jitter == .milliseconds(1))
        #expect(netem.distribution?.table == [-1, 0, 1])
        #expect(netem.loss == .random(CorrelatedProbability(0.01)))
        #expect(netem.seed == nil)
        // netem holds the delay line: 100 Mbit/s x 11 ms / 1000 B = 138 packets, at least 1000.
        #expect(netem.limit == 1_000)
        let tbf = try #require(egress.tbf)
        #expect(tbf.rateBitsPerSecond == 100_000_000)
        #expect(tbf.burstBytes == 15_140)  // 10 frames: more than 1 ms at 100 Mbit/s
    }

    @Test func kernelBackendWithoutNetemIsRefusedWithAdvice() throws {
        let yaml = Self.lab + "\n    backend: kernel\n"
        #expect {
            _ = try plan(yaml, netem: false)
        } throws: { error in
            "\(error)".contains("backend kernel needs sch_netem") && "\(error)".contains("linux-modules-extra")
        }
    }

    @Test func interfaceIndexesAreAssignedNotLookedUp() throws {
        let plan = try plan(netem: true)
        let sw = try #require(plan.namespaces.first { $0.node == "sw" })
        #expect(sw.bridge?.index == 2)
        #expect(sw.interfaces.map(\.index) == [3, 4, 5])
        #expect(sw.interfaces.allSatisfy { $0.master == 2 })
        let h1 = try #require(plan.namespaces.first { $0.node == "h1" })
        #expect(h1.interfaces.map(\.index) == [2, 3])
        #expect(h1.interfaces.allSatisfy { $0.master == nil })
    }

    @Test func namespacesGetTheSysctlsTheirRoleNeeds() throws {
        let plan = try plan(netem: true)
        let keys = { (node: String) in Set(plan.namespaces.first { $0.node == node }!.sysctls.map(\.key)) }
        #expect(keys("h1").contains("net.ipv6.conf.all.accept_dad"))
        #expect(keys("r").contains("net.ipv4.ip_forward"))
        #expect(keys("sw") == ["net.ipv6.conf.default.disable_ipv6"])
    }

    @Test func hostTCPBuffersHoldEightBandwidthDelayProducts() throws {
        let buffers = { (rate: String, delay: String) throws -> [String] in
            let yaml = "name: tcp\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: [a, b]\n    rate: \(rate)\n    delay: \(delay)\n"
            return try self.plan(yaml, netem: true).namespaces.first { $0.node == "a" }!.sysctls
                .filter { $0.key.hasPrefix("net.ipv4.tcp_") }.map { "\($0.key)=\($0.value)" }
        }
        // 10 Gbit/s over a 10 ms RTT: 12.5 MB per BDP.
        #expect(try buffers("10gbit", "5ms") == ["net.ipv4.tcp_rmem=4096 131072 100000000", "net.ipv4.tcp_wmem=4096 16384 100000000"])
        // 100 Mbit/s over 10 ms: 1 MB, the kernel's default of 6 MiB suffices.
        #expect(try buffers("100mbit", "5ms").isEmpty)
        // 400 Gbit/s over 200 ms: capped at 1 GiB.
        #expect(try buffers("400gbit", "100ms").first == "net.ipv4.tcp_rmem=4096 131072 1073741824")
    }

    @Test func seedIsSentOnlyToKernelsThatKeepIt() throws {
        let yaml = Self.lab + "\nseed: 7\n"
        let old = try LabPlanner.plan(try ResolvedLab.parse(yaml: yaml), instance: "a", machine: Self.machine(netem: true, kernel: "6.1.176"),
                                      distribution: { NetemDistribution(name: $0, table: [0]) })
        let new = try LabPlanner.plan(try ResolvedLab.parse(yaml: yaml), instance: "a", machine: Self.machine(netem: true, kernel: "6.18.1"),
                                      distribution: { NetemDistribution(name: $0, table: [0]) })
        let egress = { (plan: LabPlan) in plan.namespaces.first { $0.node == "r" }!.interfaces[1].egress!.netem! }
        #expect(egress(old).seed == nil)
        #expect(egress(new).seed != nil)
    }

    @Test func burstAndQueueFormulas() {
        #expect(KernelShaping.burst(rate: .gbit(1), frame: 1514) == 125_000)
        #expect(KernelShaping.burst(rate: .gbit(400), frame: 1514) == 50_000_000)
        #expect(KernelShaping.burst(rate: .mbit(10), frame: 1514) == 15_140)
    }

    @Test func treesChangeInPlaceOnlyWhenTheirShapeIsKept() throws {
        let rateOnly = KernelTree(netem: nil, tbf: TbfParameters(rateBitsPerSecond: 1_000_000, burstBytes: 15_140, limitBytes: 151_400))
        var faster = rateOnly
        faster.tbf?.rateBitsPerSecond = 2_000_000
        let inPlace = try rateOnly.changeRequests(to: faster, interface: 2)
        #expect(inPlace.count == 1 && inPlace[0].flags & 0x400 == 0)  // no NLM_F_CREATE: tc qdisc change
        var delayed = faster
        delayed.netem = NetemParameters()
        let rebuilt = try rateOnly.changeRequests(to: delayed, interface: 2)
        #expect(rebuilt.count == 3)  // delete the root, add netem, add tbf under it
    }
}
