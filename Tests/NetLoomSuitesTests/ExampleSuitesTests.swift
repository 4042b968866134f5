import BaselinePlugins
import Foundation
import InferencePlugins
import NetLoomModel
import NetLoomPluginAPI
import NetLoomSuites
import Testing
import TrainingPlugins

/// The example suites in Labs/suites/: each parses, and every run's lab resolves with valid plugin
/// parameters (what `netloom suite --dry-run` checks; no root needed).
struct ExampleSuitesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Labs/suites").path
    static let registry = PluginRegistry(BaselinePlugins.all + TrainingPlugins.all + InferencePlugins.all)

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func thereAreExampleSuites() {
        #expect(Self.files.count >= 3, "\(Self.files)")
    }

    @Test(arguments: files)
    func exampleSuiteParsesAndExpands(_ file: String) throws {
        let suite: Suite
        do {
            suite = try Suite.load(path: "\(Self.folder)/\(file)")
        } catch {
            Issue.record("\(file): \(error)")
            return
        }
        let pointCount = suite.groups.map { $0.axes[0].values.count }.reduce(1, *)
        #expect(suite.points.count == pointCount)
        #expect(suite.points.count >= 4, "a sweep worth a suite")
        let labs = try suite.labs(registry: Self.registry)
        #expect(labs.count == suite.points.count * suite.repetitions)
        #expect(Set(labs.map(\.run.folder)).count == labs.count, "every run has its own folder")
        #expect(labs.allSatisfy { $0.lab.name == suite.base.name }, "every point runs the same lab")
        #expect(Set(labs.map(\.text)).count >= suite.points.count, "each point's lab differs from the others")
    }
}
