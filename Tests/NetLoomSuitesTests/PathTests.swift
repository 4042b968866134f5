import Foundation
import NetLoomModel
import NetLoomSuites
import Testing

/// Sweep paths: their syntax, and where they land in a lab file.
struct PathTests {
    static let lab = """
        name: paths
        settings: { mtu: 1500 }
        nodes:
          gpu[0-3]: {}
          tor: { kind: switch }
          r1: { kind: router, sysctls: { net.ipv4.conf.all.rp_filter: "0" } }
          r2: { kind: router }
        links:
          - endpoints: ["gpu[0-3]", tor]
          - endpoints: [r1, tor]
          - endpoints: [r1, r2]
            name: wan
            delay: 10ms
        workloads:
          - plugin: bulk
            nodes: [gpu0, gpu1]
            params: { time: 1s, sizes: [1MiB, 2MiB] }
          - plugin: rr
            nodes: [gpu2, gpu3]
        """

    func target(_ path: String) throws -> LabTarget {
        let tree = try SuiteFixtures.tree(Self.lab)
        return try tree.resolve(try SweepPath(parsing: path))
    }

    func failure(_ path: String) throws -> TargetError {
        let tree = try SuiteFixtures.tree(Self.lab)
        let parsed = try SweepPath(parsing: path)
        let result = Result { () throws(TargetError) -> LabTarget in try tree.resolve(parsed) }
        guard case .failure(let error) = result else {
            throw Unexpected("\(path) resolved but should fail")
        }
        return error
    }

    @Test func stepsOfAPath() throws {
        let path = try SweepPath(parsing: #"links[wan].from_b["rate"]"#)
        #expect(path.steps.map(\.text) == ["links", "wan", "from_b", "rate"])
        #expect(path.steps.map(\.kind) == [.key, .select, .key, .select])
        #expect(path.steps.map(\.offset) == [0, 6, 11, 18])
        #expect(path.steps[3].quoted)
    }

    @Test func syntaxErrorsSayWhere() {
        for (text, offset) in [("links[wan", 5), ("links..delay", 6), ("", 0), ("links[]", 6), ("a b", 1), ("links[\"x].delay", 6)] {
            #expect(throws: PathSyntaxError.self, "\(text)") { try SweepPath(parsing: text) }
            do {
                _ = try SweepPath(parsing: text)
            } catch {
                #expect(error.offset == offset, "\(text): \(error.message)")
            }
        }
    }

    @Test func linksByNameByEndpointsAndByIndex() throws {
        #expect(try target("links[wan].delay").canonical == "links[2].delay")
        #expect(try target("links[r1--tor].rate").canonical == "links[1].rate")
        #expect(try target("links[0].delay").canonical == "links[0].delay")
        #expect(try target("links[wan].from_b.rate").canonical == "links[2].from_b.rate")
    }

    @Test func keysThatDoNotExistYetAreCreated() throws {
        #expect(try target("defaults.link.rate").canonical == "defaults.link.rate")
        #expect(try target("links[wan].rate").canonical == "links[2].rate")
        #expect(try target("settings.mtu").canonical == "settings.mtu")
    }

    @Test func keysWithBracketsAndDots() throws {
        #expect(try target("nodes.gpu[0-3].kind").canonical == "nodes.gpu[0-3].kind")
        #expect(try target("nodes.r1.sysctls.net.ipv4.conf.all.rp_filter").canonical == "nodes.r1.sysctls.net.ipv4.conf.all.rp_filter")
        #expect(try target(#"nodes.r1.sysctls["net.ipv4.conf.all.rp_filter"]"#).canonical == "nodes.r1.sysctls.net.ipv4.conf.all.rp_filter")
    }

    @Test func workloadsByIndexOrPlugin() throws {
        #expect(try target("workloads[0].params.sizes").canonical == "workloads[0].params.sizes")
        #expect(try target("workloads[rr].params.size").canonical == "workloads[1].params.size")
        #expect(try target("workloads[0].params.sizes[1]").canonical == "workloads[0].params.sizes[1]")
    }

    @Test func badPathsSayWhatAndWhere() throws {
        let unknownLink = try failure("links[wann].delay")
        #expect(unknownLink.message.contains("no link named `wann`"))
        #expect(unknownLink.allowed.contains("wan"))
        #expect(unknownLink.offset == 6)

        let shared = try failure("links[gpu1--tor].delay")
        #expect(shared.message.contains("one of the 4 links that links[0] makes"), "\(shared.message)")
        #expect(shared.allowed.contains("links[0]"))

        let rangeNode = try failure("nodes.gpu2.kind")
        #expect(rangeNode.message.contains("`gpu[0-3]`"), "\(rangeNode.message)")
        #expect(rangeNode.offset == 6)

        let index = try failure("links[7].delay")
        #expect(index.message.contains("3 items"))

        let list = try failure("links.delay")
        #expect(list.message.contains("is a list"))
        #expect(list.offset == 6)

        let scalar = try failure("links[wan].delay.ms")
        #expect(scalar.message.contains("single value"))
        #expect(scalar.offset == 17)

        let plugin = try failure("workloads[allreduce].params.size")
        #expect(plugin.message.contains("no workload runs the plugin `allreduce`"))

        let missingList = try failure("timeline[0].at")
        #expect(missingList.message.contains("not in the lab"))
    }

    @Test func overlapsAndErrorPaths() throws {
        let wanDelay = try target("links[wan].delay")
        let wan = try target("links[wan]")
        let other = try target("links[0].delay")
        #expect(wan.overlaps(wanDelay))
        #expect(!other.overlaps(wanDelay))
        #expect(wanDelay.contains(errorPath: "links[2].delay"))
        #expect(wan.contains(errorPath: "links[2].from_b.rate"))
        #expect(!wan.contains(errorPath: "links[20].delay"))
    }

    @Test func settingAValueEditsTheTree() throws {
        var tree = try SuiteFixtures.tree(Self.lab)
        tree.set(try target("links[wan].delay"), to: SweepValue.scalar("25ms").node)
        tree.set(try target("defaults.link.rate"), to: SweepValue.scalar("1gbit").node)
        tree.set(try target("workloads[0].params.sizes"), to: SweepValue.sequence([.scalar("4MiB")]).node)
        let lab = try ResolvedLab.parse(yaml: try tree.serialized())
        #expect(lab.link(named: "wan")?.aToB.delay == .milliseconds(25))
        #expect(lab.link(named: "gpu0--tor")?.aToB.rate == .gbit(1))
        #expect(try lab.workloads[0].params?["sizes"]?.array().map { try $0.string() } == ["4MiB"])
    }
}
