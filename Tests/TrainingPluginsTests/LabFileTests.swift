import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Testing
@testable import TrainingPlugins

@Suite("Example labs")
struct LabFileTests {
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Labs")

    /// Every training lab parses, and its plugins accept their parameters (traces found and read).
    @Test(arguments: ["training-leaf8", "training-two-racks", "training-two-regions", "training-allreduce-sweep", "training-trace", "ring-allreduce"])
    func examplesAreValid(name: String) throws {
        let lab = try ResolvedLab.load(path: Self.labs.appendingPathComponent("\(name).yaml").path)
        let plugins = try PluginRegistry(TrainingPlugins.all).instantiate(lab)
        #expect(plugins.count == lab.workloads.count)
    }

    @Test func theTwoRegionsLabPutsTensorParallelInsideARegion() throws {
        let lab = try ResolvedLab.load(path: Self.labs.appendingPathComponent("training-two-regions.yaml").path)
        let plugin = try #require(try PluginRegistry(TrainingPlugins.all).instantiate(lab).first as? TrainingPlugin)
        let program = plugin.step.program()
        // TP groups are a0-a3 and b0-b3; DP pairs cross the WAN.
        #expect(program.groups.contains([0, 1, 2, 3]) && program.groups.contains([4, 5, 6, 7]) && program.groups.contains([0, 4]))
    }

    @Test func badParametersAreLabErrors() throws {
        let yaml = """
            name: bad
            nodes: { a: {}, b: {}, c: {} }
            links: [{ endpoints: [a, b] }, { endpoints: [b, c] }]
            workloads:
              - { plugin: collective, nodes: [a, b, c], params: { operation: all_reduce, algorithm: binomial } }
              - { plugin: training, nodes: [a, b, c], params: { tp: 2 } }
              - { plugin: collective, nodes: [a], params: {} }
            """
        let lab = try ResolvedLab.parse(yaml: yaml, file: "<test>")
        #expect {
            _ = try PluginRegistry(TrainingPlugins.all).instantiate(lab)
        } throws: { error in
            let text = "\(error)"
            return text.contains("binomial is not an algorithm of all_reduce") && text.contains("tp x pp x dp") && text.contains("at least 2 nodes")
        }
    }
}
