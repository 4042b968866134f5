import Foundation
import Logging
import NetLoomCore
import NetLoomModel
import NetLoomPluginAPI
import Testing

/// Plugins that misbehave on purpose.
struct ThrowingPlugin: TrafficPlugin {
    static let name = "throws"
    static let summary = "Fails after a moment."
    static let parameters: [ParameterSpec] = []
    init(parameters: PluginParameters) throws(LabError) {}

    struct Failure: Error, CustomStringConvertible { var description: String { "the plugin failed on purpose" } }

    func run(in context: PluginContext) async throws {
        try await Task.sleep(for: .milliseconds(100))
        throw Failure()
    }
}

/// Blocks in a receive that nothing will answer, ignoring its deadline.
struct StubbornPlugin: TrafficPlugin {
    static let name = "stubborn"
    static let summary = "Waits for data that never comes."
    static let parameters: [ParameterSpec] = []
    init(parameters: PluginParameters) throws(LabError) {}

    func run(in context: PluginContext) async throws {
        let socket = try context.socket(.udp, on: context.nodes[0].name)
        try socket.bind(port: context.port())
        _ = try await context.blocking {
            var byte: UInt8 = 0
            return try withUnsafeMutableBytes(of: &byte) { try socket.receive(into: $0) }
        }
        context.metrics.result("returned", 1, unit: "", headline: true)
    }
}

@Suite("The runner in real labs", .enabled(if: LabTests.available), .serialized)
struct RunnerRootTests {
    static let registry = PluginRegistry([ThrowingPlugin.self, StubbornPlugin.self, BulkPluginForTests.type])

    func run(_ yaml: String, grace: Duration = .seconds(2)) async throws -> (RunOutcome, String) {
        let (lab, text) = try LabTests.lab(yaml)
        var options = RunOptions()
        options.resultsRoot = NSTemporaryDirectory() + "netloom-tests-\(getpid())"
        options.grace = grace
        options.sampleInterval = .milliseconds(250)
        let outcome = try await LabRunner(lab: lab, labText: text, registry: Self.registry, options: options, logger: LabTests.logger).run()
        #expect(LabTests.namespaces(of: lab.name).isEmpty, "the lab came down")
        #expect(!LabDirectory(lab: lab.name).exists)
        return (outcome, lab.name)
    }

    @Test func aThrowingPluginFailsItsWorkloadAndTheLabStillComesDown() async throws {
        let (outcome, _) = try await run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b], delay: 1ms }]
            workloads: [{ plugin: throws, nodes: [a, b] }]
            """)
        #expect(outcome.status == .workloadFailed)
        #expect(outcome.summary.workloads.first?.status == "failed")
        #expect(outcome.summary.workloads.first?.error?.contains("on purpose") == true)
        #expect(outcome.resultsPath != nil)
    }

    @Test func aPluginThatIgnoresItsDeadlineIsStoppedAndReported() async throws {
        let start = ContinuousClock.now
        let (outcome, _) = try await run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b] }]
            workloads: [{ plugin: stubborn, nodes: [a], duration: 1s }]
            """, grace: .milliseconds(500))
        #expect(outcome.status == .workloadFailed)
        let workload = try #require(outcome.summary.workloads.first)
        #expect(workload.status == "overran")
        // Cancelled at duration + grace: its socket was shut down, so it returned.
        #expect(workload.error?.contains("cancelled") == true, "\(workload.error ?? "")")
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func aRunWritesTheResultsFolderOfTheSchema() async throws {
        let (outcome, name) = try await run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                name: wire
                delay: 2ms
                rate: 100mbit
            workloads:
              - { plugin: bulk, nodes: [a, b], params: { time: 2s } }
            timeline:
              - { at: 1s, link: wire, set: { rate: 50mbit } }
            """)
        #expect(outcome.status == .succeeded)
        let path = try #require(outcome.resultsPath)
        #expect(URL(fileURLWithPath: path).lastPathComponent.hasPrefix("\(name)-"))
        for file in ["lab.yaml", "lab.json", "environment.json", "summary.json", "events.csv", "links.csv", "tcp.csv",
                     "workloads/0-bulk/series.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(path)/\(file)"), "\(file)")
        }
        let summary = try JSONDecoder.iso8601.decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: "\(path)/summary.json")))
        #expect(summary.workloads.first?.headline["throughput"] != nil)
        #expect(summary.timeline.first?.link == "wire" && summary.timeline.first?.error == nil)
        let lab = try JSONDecoder().decode(ResolvedLab.self, from: Data(contentsOf: URL(fileURLWithPath: "\(path)/lab.json")))
        #expect(lab.name == name)
        let links = try String(contentsOfFile: "\(path)/links.csv", encoding: .utf8).split(separator: "\n")
        #expect(links.first == Substring(ResultsWriter.linkColumns.joined(separator: ",")))
        #expect(links.count > 4, "sampled several times")
        let tcp = try String(contentsOfFile: "\(path)/tcp.csv", encoding: .utf8).split(separator: "\n")
        #expect(tcp.count > 1, "TCP_INFO of the bulk flow was sampled")
        let environment = try JSONDecoder().decode(RunEnvironment.self, from: Data(contentsOf: URL(fileURLWithPath: "\(path)/environment.json")))
        #expect(environment.backends["wire"] != nil)
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".\(URL(fileURLWithPath: path).lastPathComponent).partial").path))
    }

    @Test func aBadParameterIsALabErrorBeforeAnythingIsBuilt() async throws {
        let (lab, text) = try LabTests.lab("""
            name: NAME
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b] }]
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { tme: 2s }
            """)
        await #expect {
            _ = try await LabRunner(lab: lab, labText: text, registry: Self.registry, logger: LabTests.logger).run()
        } throws: { error in
            guard let errors = error as? LabErrors else { return false }
            return errors.description.contains("<test>:7:") && errors.description.contains("did you mean `time`?")
        }
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
    }

    @Test func sigintTakesTheLabDownAndLeavesAnInterruptedResult() throws {
        let executable = LabTests.netloomExecutable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build netloom first")
        let (lab, text) = try LabTests.lab("""
            name: NAME
            nodes: { a: {}, b: {} }
            links: [{ endpoints: [a, b], delay: 1ms, rate: 100mbit }]
            workloads: [{ plugin: bulk, nodes: [a, b], params: { time: 60s } }]
            """)
        let folder = NSTemporaryDirectory() + "netloom-sigint-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: "\(folder)/lab.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", "-q", "--results", "\(folder)/results", "\(folder)/lab.yaml"]
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: "/run/netloom/\(lab.name)/lab.json") && Date() < deadline { usleep(20_000) }
        usleep(1_000_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(LabTests.namespaces(of: lab.name).isEmpty)
        #expect(!LabDirectory(lab: lab.name).exists)
        let results = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/results")
        let summaryPath = "\(folder)/results/\(try #require(results.first { $0.hasPrefix(lab.name) }))/summary.json"
        let summary = try JSONDecoder.iso8601.decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        #expect(summary.status == .interrupted)
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
