import Foundation
import NetLoomCore
import Testing

extension PluginLabTests {
    @Test func rrLatencyIsTheRoundTrip() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                delay: 5ms
            workloads:
              - plugin: rr
                nodes: [a, b]
                params: { time: 2s, connections: 2, request: 100B, response: 1000B }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        // 5 ms each way: one transaction is a 10 ms round trip.
        let p50 = try #require(run.workload().headline["latency p50"]?.value)
        #expect(p50 > 9_900 && p50 < 11_500, "median latency \(p50) us with 5 ms one-way delay")
        let histogram = try #require(run.workload().histograms["latency"])
        #expect(histogram.unit == "us")
        #expect(histogram.p99 >= histogram.p50 && histogram.p999 >= histogram.p99)
        // Two connections, one transaction in flight each: about 2 / 10 ms.
        let rate = try #require(run.workload().headline["transactions/s"]?.value)
        #expect(rate > 150 && rate < 205, "\(rate) transactions/s")
        #expect(run.rows("workloads/0-rr/histograms/latency.csv").count > 10, "the latency CDF")
        #expect(run.rows("workloads/0-rr/series.csv").contains { $0[1] == "transactions" })
    }

    @Test func rrStopsAfterTransactions() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: rr
                nodes: [a, b]
                params: { transactions: 5001, connections: 4, nodelay: false }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        #expect(run.result("transactions") == 5001)
        #expect(run.workload().histograms["latency"]?.count == 5001)
    }
}
