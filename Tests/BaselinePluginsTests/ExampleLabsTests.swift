import Foundation
import NetLoomCore
import NetLoomModel
import Testing

/// The example labs in Labs/ that use these plugins.
struct ExampleLabsTests {
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Labs").path

    /// Every workload of a known plugin has valid parameters (plugins of other families are skipped).
    @Test func exampleLabsHaveValidParameters() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.labs).filter { $0.hasSuffix(".yaml") }
        var checked = 0
        for file in files {
            var (lab, _) = try ResolvedLab.read(path: "\(Self.labs)/\(file)")
            lab.workloads = lab.workloads.filter { PluginLabs.registry[$0.plugin] != nil }
            checked += lab.workloads.count
            #expect(throws: Never.self, "\(file)") { try PluginLabs.registry.instantiate(lab) }
        }
        #expect(checked >= 6)
    }
}

extension PluginLabTests {
    @Test func execRingExampleLabRuns() async throws {
        let text = try String(contentsOfFile: "\(ExampleLabsTests.labs)/exec-ring.yaml", encoding: .utf8)
            .replacingOccurrences(of: "name: exec-ring", with: "name: NAME")
        let run = try await PluginLabs.run(text)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let n3 = try #require(run.file("workloads/0-exec/n3.stdout"))
        #expect(n3.contains("rank 3 of 4 on n3 pings 10.0.0.1"), "\(n3)")
        #expect(n3.contains("5 packets transmitted, 5 received"), "\(n3)")
    }
}
