import Foundation
@testable import NetLoom
import Testing

/// How a script's workloads and lab names become lab text (no root needed).
struct WorkloadTextTests {
    @Test func workloadsBecomeTheLabsWorkloads() throws {
        let text = try LabText.withWorkloads(ScriptLabs.twoHosts + "\ntimeline:\n  - { at: 1s, link: wire, down: 1s }\n", [
            Workload("bulk", nodes: ["a", "b"], params: [
                "time": .time(.milliseconds(1500)), "flows": 4, "reverse": true, "message": .size(.kibibytes(64)),
            ], start: .seconds(1)),
            Workload("rr", nodes: ["b", "a"], duration: .seconds(3)),
        ], file: "<test>")
        let lab = try ResolvedLab.parse(yaml: text)
        #expect(lab.workloads.map(\.plugin) == ["bulk", "rr"])
        #expect(lab.workloads[0].nodes == ["a", "b"])
        #expect(lab.workloads[0].start == .seconds(1))
        #expect(lab.workloads[1].duration == .seconds(3))
        #expect(lab.timeline.isEmpty, "a script changes links itself")
        let params = try #require(lab.workloads[0].params)
        #expect(params.keys.sorted() == ["flows", "message", "reverse", "time"])
        #expect(params["time"]?.value == .scalar("1500ms"))
        #expect(params["message"]?.value == .scalar("64KiB"))
        // The plugin reads them as a lab file's.
        _ = try PluginRegistry.builtIn.instantiate(lab)
    }

    @Test func aNameReplacesTheLabsName() throws {
        let (lab, text) = try LabSource.yaml(ScriptLabs.twoHosts).load(name: "renamed")
        #expect(lab.name == "renamed")
        #expect(lab.node(named: "a")?.namespace == "renamed.a")
        #expect(try ResolvedLab.parse(yaml: text).name == "renamed")
        #expect(try LabSource.yaml(ScriptLabs.twoHosts).load(name: nil).lab.name == "pair")
    }

    @Test func theExampleLabFileLoads() throws {
        let (lab, _) = try LabSource.file(ScriptLabs.packageRoot + "/Labs/quickstart.yaml").load(name: "qs-renamed")
        #expect(lab.name == "qs-renamed")
        #expect(lab.link(named: "wan") != nil)
    }
}
