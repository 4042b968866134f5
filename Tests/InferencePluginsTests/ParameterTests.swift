import Foundation
import InferencePlugins
import NetLoomModel
import NetLoomPluginAPI
import Testing

/// Parameter errors are lab-file errors, found without building anything (no root).
struct ParameterTests {
    static func errors(_ params: String, nodes: String = "[c, s]", plugin: String = "llm-serving") throws -> [LabError] {
        let yaml = """
            name: params
            nodes: { c: {}, s: {}, p: {}, d: {} }
            links:
              - endpoints: [c, s]
              - endpoints: [s, p]
              - endpoints: [p, d]
            workloads:
              - plugin: \(plugin)
                nodes: \(nodes)
                params: \(params)
            """
        let lab = try ResolvedLab.parse(yaml: yaml, file: "lab.yaml")
        do {
            _ = try PluginRegistry(InferencePlugins.all).instantiate(lab)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func aMalformedTraceIsALabErrorNamingItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-bad-trace-\(getpid()).csv").path
        try "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,10,5\n2023-11-16 18:15:47.00,ten,5\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let errors = try Self.errors("{ trace: \(path) }")
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains(":3: ContextTokens \"ten\"") == true, "\(errors)")
    }

    @Test func unknownTracesEnginesAndBadCombinationsAreRefused() throws {
        #expect(try Self.errors("{ trace: nope.csv }").first?.description.contains("no trace file") == true)
        #expect(try Self.errors("{ engine: gpt-9 }").count == 1)
        #expect(try Self.errors("{ arrivals: trace }").first?.description.contains("needs a `trace`") == true)
        #expect(try Self.errors("{ trace: conv, trace_start: 5h }").first?.description.contains("no requests in this window") == true)
        #expect(try Self.errors("{ slo_ttft: 0s }").count == 1)
        #expect(try Self.errors("{}", nodes: "[c]").count == 1)
        #expect(try Self.errors("{ trace: conv, trace_window: 60s, trace_speed: 2 }").isEmpty)
    }
}

/// The example labs Labs/inference-*.yaml have valid parameters.
struct InferenceLabFilesTests {
    static let labs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Labs").path

    @Test func inferenceLabsHaveValidParameters() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.labs).filter { $0.hasPrefix("inference-") && $0.hasSuffix(".yaml") }
        #expect(files.count >= 5)
        for file in files {
            let (lab, _) = try ResolvedLab.read(path: "\(Self.labs)/\(file)")
            #expect(throws: Never.self, "\(file)") { try PluginRegistry(InferencePlugins.all).instantiate(lab) }
        }
    }
}
