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
                    params: { operation: \(operation.rawValue), algorithm: \(algorithm.rawValue), sizes: [4KiB, 100000B, 200KiB], iterations: 2, warmup: 1, chunk: 16KiB, channels: \(1 + index % 2), sockets_per_peer: \(sockets), dtype: \(index % 4 == 1 ? "bf16" : "float"), root: \(ranks - 1), overhead: 10us }
                """)
                index += 1
            }
        }
        let outcome = try await TrainingLabs.run(TrainingLabs.star(ranks, workloads: workloads.joined(separator: "\n")))
        for workload in outcome.summary.workloads {
            #expect(workload.status == "ok", "\(workload.index): \(workload.error ?? "")")
            #expect(workload.results["wrong"]?.value == 0)
            #expect((workload.results["busbw"]?.value ?? 0) > 0)
        }
        #expect(outcome.status == .succeeded)
    }
}
