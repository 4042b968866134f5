import Foundation
import NetLoom
import Testing

/// The example programs under Examples/, built with the package and run here as a user would run them.
extension ScriptingRootTests {
    @Suite("Examples")
    struct Examples {
        struct Row: Decodable {
            var delay: String
            var addedRTTMilliseconds: Double
            var latencyP50Milliseconds: Double
            var latencyP99Milliseconds: Double
            var throughputMbitPerSecond: Double
        }

        @Test func delaySweepPrintsOneRowPerDelay() throws {
            let program = ScriptLabs.builtProduct("netloom-example-delay-sweep")
            try #require(FileManager.default.isExecutableFile(atPath: program), "\(program) was not built")
            let name = ScriptLabs.uniqueName()
            let results = try ScriptLabs.scratch()
            let run = try ScriptLabs.run(program, [
                "--name", name, "--delays", "2ms,8ms", "--time", "400ms", "--results", results, "--json",
            ], in: ScriptLabs.packageRoot)
            #expect(run.status == 0, "\(run.errors)")
            #expect(ScriptLabs.namespaces(of: name).isEmpty, "the example took its lab down")

            let rows = try JSONDecoder().decode([Row].self, from: Data(run.output.utf8))
            #expect(rows.map(\.delay) == ["2ms", "8ms"])
            for row in rows {
                // The wan's round trip plus well under a millisecond through the rest of quickstart.
                #expect(row.latencyP50Milliseconds > row.addedRTTMilliseconds * 0.98, "\(row)")
                #expect(row.latencyP50Milliseconds < row.addedRTTMilliseconds + 2.5, "\(row)")
                // quickstart's wan is 100 Mbit/s; a short TCP run still gets a good share of it.
                #expect(row.throughputMbitPerSecond > 20 && row.throughputMbitPerSecond < 100, "\(row)")
            }
            // One folder for the lab, a results folder per point inside it.
            let folders = try FileManager.default.contentsOfDirectory(atPath: results)
            #expect(folders.count == 1 && folders[0].hasPrefix("\(name)-"), "\(folders)")
            let runs = try FileManager.default.contentsOfDirectory(atPath: "\(results)/\(folders[0])").sorted()
            #expect(runs == ["01-delay-2ms-1", "02-delay-8ms-1"])
        }

        @Test func ctrlCTakesTheExamplesLabDown() async throws {
            let program = ScriptLabs.builtProduct("netloom-example-delay-sweep")
            try #require(FileManager.default.isExecutableFile(atPath: program), "\(program) was not built")
            let name = ScriptLabs.uniqueName()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["--name", name, "--time", "30s", "--results", try ScriptLabs.scratch()]
            process.currentDirectoryURL = URL(fileURLWithPath: ScriptLabs.packageRoot)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for the lab and its first run to start.
            let deadline = ContinuousClock.now + .seconds(20)
            while ScriptLabs.namespaces(of: name).isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(1000))
            #expect(!ScriptLabs.namespaces(of: name).isEmpty, "the example brought its lab up")
            process.interrupt()
            let interrupted = ContinuousClock.now
            while process.isRunning && ContinuousClock.now - interrupted < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let stoppedIn = ContinuousClock.now - interrupted
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            #expect(stoppedIn < .seconds(10), "it stopped soon after SIGINT")
            #expect(process.terminationStatus == 130)
            #expect(ScriptLabs.namespaces(of: name).isEmpty, "SIGINT cancelled the sweep and the lab came down")
        }

        @Test func delaySweepRejectsBadFlags() throws {
            let program = ScriptLabs.builtProduct("netloom-example-delay-sweep")
            try #require(FileManager.default.isExecutableFile(atPath: program), "\(program) was not built")
            let run = try ScriptLabs.run(program, ["--delays", "soon"])
            #expect(run.status == 2)
            #expect(run.errors.contains("usage:"), "\(run.errors)")
        }
    }
}
