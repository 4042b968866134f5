import Foundation
import NetLoomCore
import Testing

extension PluginLabTests {
    /// The plugin guide's worked example, run like every other plugin.
    @Test func pingpongMeasuresTheRoundTrip() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                delay: 1ms
            workloads:
              - plugin: pingpong
                nodes: [a, b]
                params: { count: 50, interval: 5ms }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let p50 = try #require(run.workload().headline["rtt p50"]?.value)
        #expect(p50 > 1.95 && p50 < 2.5, "RTT \(p50) ms over 1 ms each way")
        #expect(run.workload().headline["lost"]?.value == 0)
        #expect(run.workload().histograms["rtt"]?.count == 50)
        #expect(run.rows("workloads/0-pingpong/histograms/rtt.csv").count > 10)
    }
}
