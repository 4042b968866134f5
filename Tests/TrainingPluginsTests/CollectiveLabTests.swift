import Foundation
import NetLoomCore
import Testing
@testable import TrainingPlugins

@Suite("Collectives in real labs", .enabled(if: TrainingLabs.available), .serialized)
struct CollectiveLabTests {
    /// Every operation and algorithm, checked, on 2, 3, 4 and 8 ranks: one lab per rank count, one
    /// workload per algorithm, started one after another.
    @Test(arguments: [2, 3, 4, 8])
    func everyCollectiveIsCorrectOverTCP(ranks: Int) async throws {
        var workloads: [String] = []
        var index = 0
        for operation in CollectiveOperation.allCases {
            for algorithm in operation.algorithms {
                let sockets = index % 3 == 0 ? 2 : 1
                workloads.append("""
                  - plugin: collective
                    nodes: "h[0-\(ranks - 1)]"
                    start: \(index * 400)ms
                    duration: 60s
                    params: { operation: \(operation.rawValue), algorithm: \(algorithm.rawValue), sizes: [4KiB, 100000B, 200KiB], iterations: 2, warmup: 1, chunk: 16KiB, channels: \(1 + index % 2), sockets_per_peer: \(sockets), dtype: \(index % 4 == 1 ? "bf16" : "float"), root: \(ranks - 1), overhead: 10us }
                """)
                index += 1
            }
        }
        let outcome = try await TrainingLabs.run(TrainingLabs.star(ranks, workloads: workloads.joined(separator: "\n")))
        for workload in outcome.summary.workloads {
            #expect(workload.status == "ok", "\(workload.index): \(workload.error ?? "") [\(workload.started)...\(workload.finished) s]")
            #expect(workload.results["wrong"]?.value == 0)
            #expect((workload.results["busbw"]?.value ?? 0) > 0)
        }
        #expect(outcome.status == .succeeded)
    }
}

@Suite("Training iterations in real labs", .enabled(if: TrainingLabs.available), .serialized)
struct TrainingLabTests {
    @Test func everyParallelPatternRunsOverTheLab() async throws {
        let tiny = "preset: custom, hidden: 256, layers: 4, sequence: 64, parameters: 2000000, layer_time: 2ms, iterations: 2, warmup: 0"
        let outcome = try await TrainingLabs.run(TrainingLabs.star(9, link: "{ rate: 1gbit, delay: 100us }", workloads: """
          - plugin: training
            nodes: "h[0-8]"
            duration: 60s
            params: { \(tiny), tp: 2, pp: 2, dp: 2, checkpoint_every: 2 }
          - plugin: training
            nodes: "h[0-3]"
            duration: 60s
            start: 2s
            params: { \(tiny), dp: 4, sharding: zero3 }
          - plugin: training
            nodes: "h[4-7]"
            duration: 60s
            start: 2s
            params: { \(tiny), experts: 4, top_k: 2, active_parameters: 1000000, dp: 4, ep: 2 }
        """))
        for workload in outcome.summary.workloads {
            #expect(workload.status == "ok", "\(workload.index): \(workload.error ?? "")")
            let iteration = try #require(workload.results["iteration time"]?.value)
            let compute = try #require(workload.results["compute-only time"]?.value)
            #expect(iteration >= compute * 0.95, "\(workload.index): \(iteration) vs \(compute)")
            #expect((workload.results["predicted iteration time"]?.value ?? 0) > 0)
        }
        let first = try #require(outcome.summary.workloads.first)
        #expect(first.results["tp all_reduce time"] != nil && first.results["pp send time"] != nil
                && first.results["dp all_reduce time"] != nil && first.results["checkpoint time"] != nil, "\(first.results.keys.sorted())")
        #expect(outcome.summary.workloads[1].results["fsdp reduce_scatter time"] != nil)
        #expect(outcome.summary.workloads[2].results["ep alltoallv time"] != nil)
    }
}

@Suite("Trace replay in real labs", .enabled(if: TrainingLabs.available), .serialized)
struct TraceLabTests {
    static let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Labs/traces").path

    @Test func theShippedExamplesReplay() async throws {
        let outcome = try await TrainingLabs.run(TrainingLabs.star(4, link: "{ rate: 1gbit, delay: 50us }", workloads: """
          - plugin: trace
            nodes: "h[0-3]"
            duration: 60s
            params: { trace: \(Self.traces)/llama2-7b-dp4.txt, scale: 0.0001, compute_scale: 0.01 }
          - plugin: trace
            nodes: "h[0-3]"
            duration: 60s
            start: 1s
            params: { trace: \(Self.traces)/llama2-7b-tp2-dp2.txt, scale: 0.0001, compute_scale: 0.01 }
          - plugin: trace
            nodes: "h[0-3]"
            duration: 60s
            start: 2s
            params: { trace: \(Self.traces)/llama2-7b-tp2-dp2, scale: 0.0001, compute_scale: 0.01 }
        """))
        for workload in outcome.summary.workloads {
            #expect(workload.status == "ok", "\(workload.index): \(workload.error ?? "")")
            #expect((workload.results["iteration time"]?.value ?? 0) > 0)
        }
    }

    @Test func aMissingTraceIsALabError() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await TrainingLabs.run(TrainingLabs.star(2, workloads: """
              - plugin: trace
                nodes: "h[0-1]"
                duration: 60s
                params: { trace: no-such-trace.txt }
            """))
        }
    }
}
