// The whole lab: the brief's example, layering of fields, naming, sysctls, workloads, timeline, JSON.

import Foundation
import Testing
@testable import NetLoomModel

@Suite struct LayeringTests {
    @Test func precedence() throws {
        let lab = try resolve("""
        name: x
        defaults:
          link: { delay: 1ms, loss: 1%, rate: 1gbit, from_a: { rate: 2gbit, jitter: 5us } }
        nodes: { h1: {}, h2: {}, h3: {} }
        links:
          - endpoints: [h1, h2]
          - endpoints: [h2, h3]
            rate: 10gbit
            from_b: { delay: 30ms }
        """)
        let plain = lab.links[0], custom = lab.links[1]
        #expect(plain.aToB.rate == .gbit(2))
        #expect(plain.aToB.jitter == .microseconds(5))
        #expect(plain.bToA.rate == .gbit(1))
        #expect(plain.bToA.jitter == .zero)
        // Link-level rate beats defaults.from_a; defaults.from_a still sets jitter.
        #expect(custom.aToB.rate == .gbit(10))
        #expect(custom.aToB.jitter == .microseconds(5))
        #expect(custom.aToB.delay == .milliseconds(1))
        #expect(custom.bToA.delay == .milliseconds(30))
        #expect(custom.bToA.loss == .random(Percent(1), correlation: .zero))
    }

    @Test func aLossModelReplacesLossFromBelow() throws {
        let lab = try resolve("""
        name: x
        defaults: { link: { loss: 1% } }
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            from_a: { loss_model: { gilbert_elliott: { p: 2%, r: 20% } } }
        """)
        #expect(lab.links[0].aToB.loss == .gilbertElliott(GilbertElliott(p: Percent(2), r: Percent(20), h: .zero, k: .hundred)))
        #expect(lab.links[0].bToA.loss == .random(Percent(1), correlation: .zero))
    }

    @Test func gilbertElliottDefaults() throws {
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], loss_model: { gilbert_elliott: { p: 5% } } }
        """)
        #expect(lab.links[0].aToB.loss == .gilbertElliott(GilbertElliott(p: Percent(5), r: Percent(95), h: .zero, k: .hundred)))
    }

    @Test func backendPrecedence() throws {
        let lab = try resolve("""
        name: x
        backend: kernel
        defaults: { link: { backend: userspace } }
        nodes: { "h[1-3]": {} }
        links:
          - endpoints: [h1, h2]
          - { endpoints: [h2, h3], backend: auto }
        """)
        #expect(lab.backend == .kernel)
        #expect(lab.links.map(\.backend) == [.userspace, .auto])
    }

    @Test func seeds() throws {
        let lab = try resolve("""
        name: x
        nodes: { "a[0-1]": {}, "b[0-1]": {}, c: {}, d: {} }
        links:
          - { endpoints: ["a[0-1]", "b[0-1]"], seed: 42 }
          - { endpoints: [c, d], from_b: { seed: 7 } }
        """)
        #expect(lab.links.map(\.aToB.seed) == [42, 44, nil])
        #expect(lab.links.map(\.bToA.seed) == [43, 45, 7])
        let seeded = try resolve("name: x\nseed: 1\n" + twoHosts.replacingOccurrences(of: "name: pair\n", with: ""))
        let a = try #require(seeded.links[0].aToB.seed), b = try #require(seeded.links[0].bToA.seed)
        #expect(a != b)
        #expect(try resolve("name: x\nseed: 1\n" + twoHosts.replacingOccurrences(of: "name: pair\n", with: "")).links[0].aToB.seed == a)
    }
}

@Suite struct NamingTests {
    @Test func interfacesAreNamedInLinkOrderAroundExplicitNames() throws {
        let lab = try resolve("""
        name: x
        nodes: { r: { kind: router }, "h[1-3]": {} }
        links:
          - endpoints: [r, h1]
          - endpoints: ["r:eth0", h2]
          - endpoints: [r, h3]
        """)
        let r = try #require(lab.node(named: "r"))
        #expect(r.interfaces.map(\.name) == ["eth1", "eth0", "eth2"])
        #expect(r.interfaces[0].peer == LinkEndpoint(node: "h1", interface: "eth0"))
        #expect(r.namespace == "x.r")
        #expect(lab.links.map(\.name) == ["r--h1", "r--h2", "r--h3"])
    }

    @Test func interfaceRangesZipWithNodeRanges() throws {
        let lab = try resolve("""
        name: x
        nodes: { "h[1-4]": {}, sw: { kind: switch } }
        links:
          - { endpoints: ["h[1-4]:up", "sw:p[1-4]"], name: "l[1-4]" }
        """)
        #expect(lab.links.map(\.name) == ["l1", "l2", "l3", "l4"])
        #expect(lab.links.map(\.b.interface) == ["p1", "p2", "p3", "p4"])
        #expect(lab.links.map(\.a.interface) == ["up", "up", "up", "up"])
    }

    @Test func fanOutAndZip() throws {
        let lab = try resolve("""
        name: x
        nodes: { "a[0-3]": {}, "b[0-3]": {}, sw: { kind: switch } }
        links:
          - endpoints: ["a[0-3]", "b[0-3]"]
          - endpoints: [sw, "b[0-3]"]
        """)
        #expect(lab.links.map(\.name) == ["a0--b0", "a1--b1", "a2--b2", "a3--b3", "sw--b0", "sw--b1", "sw--b2", "sw--b3"])
    }
}

@Suite struct SysctlTests {
    @Test func orderAndOverrides() throws {
        let lab = try resolve("""
        name: x
        settings:
          tcp_congestion_control: bbr
          tcp_slow_start_after_idle: false
          sysctls: { net.core.rmem_max: "67108864", net.ipv4.ip_forward: 0 }
        nodes:
          h: {}
          r: { kind: router, sysctls: { net.ipv4.tcp_ecn: 1 } }
        """)
        #expect(lab.node(named: "h")?.sysctls.map { "\($0.key)=\($0.value)" } == [
            "net.ipv4.tcp_congestion_control=bbr", "net.ipv4.tcp_slow_start_after_idle=0",
            "net.core.rmem_max=67108864", "net.ipv4.ip_forward=0",
        ])
        #expect(lab.node(named: "r")?.sysctls.map { "\($0.key)=\($0.value)" } == [
            "net.ipv4.tcp_congestion_control=bbr", "net.ipv4.tcp_slow_start_after_idle=0",
            "net.core.rmem_max=67108864", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.tcp_ecn=1",
        ])
        #expect(lab.settings.tcpCongestionControl == "bbr")
        #expect(lab.settings.offloads)
        #expect(lab.settings.mtu == 1500)
    }
}

@Suite struct WorkloadAndTimelineTests {
    @Test func paramsKeepTheirLocations() throws {
        let lab = try resolve(starLab(hosts: 4) + """

        workloads:
          - plugin: allreduce
            nodes: h[1-4]
            params: { algorithm: ring, sizes: [1MiB, 64MiB], iterations: 10, note: ~ }
            start: 1s
            duration: 30s
        """)
        let workload = try #require(lab.workloads.first)
        #expect(workload.plugin == "allreduce")
        #expect(workload.nodes == ["h1", "h2", "h3", "h4"])
        #expect(workload.start == .seconds(1))
        #expect(workload.duration == .seconds(30))
        let params = try #require(workload.params)
        #expect(params.keys == ["algorithm", "sizes", "iterations", "note"])
        #expect(try params["algorithm"]?.string() == "ring")
        #expect(try params["iterations"]?.int() == 10)
        #expect(params["note"]?.value == .null)
        let sizes = try #require(try params["sizes"]?.array())
        #expect(try sizes.map { try $0.byteCount() } == [.mebibytes(1), .mebibytes(64)])
        #expect(sizes[1].location == LabLocation(file: "test.yaml", line: 10, column: 46))
        #expect(sizes[1].path == "workloads[0].params.sizes[1]")
        // A plugin raises errors through the same type, at the right place.
        let error = params["algorithm"]!.error("\"ring\" needs 2 or more nodes", allowed: "add nodes")
        #expect(error.description == "test.yaml:10:26: workloads[0].params.algorithm: \"ring\" needs 2 or more nodes; add nodes")
        #expect(params.unknownKeys(allowed: ["algorithm", "sizes", "iterations"]).map(\.description)
                == ["test.yaml:10:70: workloads[0].params.note: unknown key `note`; allowed keys: algorithm, sizes, iterations"])
        #expect(throws: LabError.self) { try sizes[0].duration() }
    }

    @Test func timelineIsSortedAndCumulative() throws {
        let lab = try resolve("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], name: wan, delay: 20ms, rate: 1gbit }
        timeline:
          - { at: 30s, link: wan, set: { loss: 1% } }
          - { at: 10s, link: wan, set: { delay: 40ms, from_b: { rate: 100mbit } } }
          - { at: 20s, link: wan, down: 2s }
          - { at: 25s, link: wan, up: true }
          - { at: 40s, link: wan, down: true }
        """)
        #expect(lab.timeline.map(\.at) == [.seconds(10), .seconds(20), .seconds(25), .seconds(30), .seconds(40)])
        guard case .set(let aToB, let bToA) = lab.timeline[0].action else { Issue.record("not a set"); return }
        #expect(aToB.delay == .milliseconds(40))
        #expect(bToA.delay == .milliseconds(40))
        #expect(bToA.rate == .mbit(100))
        #expect(aToB.rate == .gbit(1))
        // rttReference (40 ms) x 100 mbit / 8 = 500 kB for the new rate.
        #expect(bToA.queue == .bytes(ByteCount(bytes: 500_000)))
        #expect(lab.timeline[1].action == .down(for: .seconds(2)))
        #expect(lab.timeline[2].action == .up)
        guard case .set(let later, _) = lab.timeline[3].action else { Issue.record("not a set"); return }
        #expect(later.delay == .milliseconds(40))
        #expect(later.loss == .random(Percent(1), correlation: .zero))
        #expect(lab.timeline[4].action == .down(for: nil))
        let json = try JSONEncoder().encode(lab)
        #expect(try JSONDecoder().decode(ResolvedLab.self, from: json) == lab)
        #expect(String(decoding: json, as: UTF8.self).contains(#""down":null"#))
    }
}

@Suite struct WholeLabTests {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    @Test func briefExampleLoads() throws {
        let path = Self.fixtures.appendingPathComponent("full.yaml").path
        let lab: ResolvedLab
        do {
            lab = try ResolvedLab.load(path: path)
        } catch {
            Issue.record("\(error)")
            return
        }
        #expect(lab.name == "ring8")
        #expect(lab.nodes.count == 8 + 1 + 4 + 4 + 4)
        let wan = try #require(lab.link(named: "wan"))
        #expect(wan.a == LinkEndpoint(node: "r1", interface: "wan0"))
        #expect(wan.backend == .userspace)
        #expect(wan.mtu == 9000)
        #expect(wan.aToB.rate == .gbit(1))
        #expect(wan.bToA.delay == .milliseconds(30))
        #expect(wan.aToB.delay == .milliseconds(20))
        #expect(wan.aToB.aqm == .codel)
        #expect(wan.aToB.rateTrace == nil)
        #expect(wan.bToA.rateTrace == Self.fixtures.appendingPathComponent("traces/lte.mahimahi").path)
        #expect(wan.bToA.rate == nil)
        #expect(wan.bToA.queue == .bytes(ByteCount(bytes: 4_000_000)))
        #expect(wan.aToB.keepOrder)
        #expect(lab.node(named: "r1")?.interface(named: "wan0")?.ipv4?.description == "10.9.0.1/30")
        #expect(lab.timeline.count == 3)
        #expect(lab.workloads.first?.nodes.count == 8)
        // The a/b pairs are an island: hosts do not forward. One warning per node line.
        #expect(lab.warnings.count == 7, "\(lab.warnings)")
        #expect(lab.warnings.first?.message == "8 nodes (gpu0 ... gpu7) cannot reach 4 subnets (e.g. 10.0.1.0/24 of link a0--b0): no chain of routers leads there")
        #expect(lab.warnings.first?.location.line == 17)
    }

    @Test func missingTraceFileIsAnErrorWhenLoading() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lab.yaml")
        try """
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], rate_trace: traces/none.trace }
        """.write(to: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try ResolvedLab.load(path: file.path)
        } throws: { error in
            guard let first = (error as? LabErrors)?.errors.first else { return false }
            return first.message.contains("does not exist") && first.line == 4 && first.column == 40
        }
    }

    @Test func unreadableFile() {
        #expect(throws: LabErrors.self) { try ResolvedLab.load(path: "/nonexistent/lab.yaml") }
    }

    @Test func jsonRoundTrip() throws {
        let path = Self.fixtures.appendingPathComponent("full.yaml").path
        let lab = try ResolvedLab.load(path: path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(lab)
        let decoded = try JSONDecoder().decode(ResolvedLab.self, from: data)
        #expect(decoded == lab)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""rate":"1gbit""#))
        #expect(text.contains(#""destination":"0.0.0.0\/0""#))
        #expect(text.contains(#""delay":"20ms""#))
        #expect(text.contains(#""down":"2s""#))
        #expect(text.contains(#""start":"0s""#))
    }

    @Test func jsonRoundTripOfALeafSpine() throws {
        let lab = try resolve(leafSpineLab(leaves: 4, spines: 2, perLeaf: 4))
        let decoded = try JSONDecoder().decode(ResolvedLab.self, from: try JSONEncoder().encode(lab))
        #expect(decoded == lab)
    }
}

@Suite struct ExampleLabTests {
    static var labs: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Labs")
    }

    @Test func everyExampleLabResolvesWithoutWarnings() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.labs.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 3)
        for file in files {
            do {
                let lab = try ResolvedLab.load(path: Self.labs.appendingPathComponent(file).path)
                #expect(lab.warnings.isEmpty, "\(file): \(lab.warnings)")
                #expect(try JSONDecoder().decode(ResolvedLab.self, from: JSONEncoder().encode(lab)) == lab)
            } catch {
                Issue.record("\(file):\n\(error)")
            }
        }
    }

    @Test func docsNumbersHold() throws {
        let ring = try ResolvedLab.load(path: Self.labs.appendingPathComponent("ring-allreduce.yaml").path)
        #expect(ring.rttReference == .milliseconds(1))
        #expect(ring.links[0].aToB.queue == .bytes(ByteCount(bytes: 3_125_000)))
        #expect(ring.node(named: "gpu0")?.interfaces[0].ipv4?.description == "10.0.0.1/24")
        let regions = try ResolvedLab.load(path: Self.labs.appendingPathComponent("two-regions-wan.yaml").path)
        #expect(regions.rttReference == .microseconds(40_040))
        #expect(regions.link(named: "wan")?.aToB.queue == .bytes(ByteCount(bytes: 50_050_000)))
        #expect(regions.routes(of: "a1") == ["default via 10.0.0.9 dev eth0", "default via fd00:6e6c::9 dev eth0"])
        let fabric = try ResolvedLab.load(path: Self.labs.appendingPathComponent("leaf-spine.yaml").path)
        let b1 = try #require(fabric.node(named: "b1")?.interfaces[0].ipv4?.network)
        #expect(fabric.node(named: "leaf1")?.routes.first { $0.destination == b1 }?.nexthops.count == 2)
        #expect(fabric.routes(of: "a1").first?.hasPrefix("default via") == true)
    }
}
