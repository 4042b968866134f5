import Foundation
import NetLoomCore
import Testing

extension PluginLabTests {
    @Test func flowmixReportsEveryBucket() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { sw: { kind: switch }, "h[0-3]": {} }
            links:
              - endpoints: ["h[0-3]", sw]
                rate: 1gbit
            workloads:
              - plugin: flowmix
                nodes: "h[0-3]"
                params: { sizes: [10KB:6, 500KB:3, 12MB:1], load: 0.3, time: 3s, drain: 5s, seed: 7 }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        // Mean 1.356 MB: 0.3 x 1 Gbit/s is 27.65 flows/s.
        let arrivals = try #require(run.result("arrival rate"))
        #expect(abs(arrivals - 0.3e9 / 8 / 1_356_000) < 0.01)
        let flows = try #require(run.workload().headline["flows"]?.value)
        #expect(flows > 40 && flows < 160, "\(flows) flows in 3 s at about 28/s")
        #expect(run.result("flows failed") == 0)
        #expect(run.result("flows unfinished") == 0)
        for bucket in ["small", "medium", "large"] {
            let count = try #require(run.result("\(bucket) flows"))
            #expect(count > 0, "\(bucket) flows")
            // Nothing beats line rate: slowdown is at least 1.
            let slowdown = try #require(run.result("\(bucket) slowdown p50"))
            #expect(slowdown >= 1, "\(bucket) slowdown \(slowdown)")
            #expect(run.workload().histograms["fct \(bucket)"]?.count == UInt64(count))
        }
        // A 12 MB flow takes at least 96 ms at 1 Gbit/s.
        #expect((run.result("large fct p50") ?? 0) >= 96)
        let table = run.rows("workloads/0-flowmix/tables/buckets.csv")
        #expect(table.map { $0[0] } == ["small", "medium", "large"])
        #expect(run.rows("workloads/0-flowmix/tables/flows.csv").count == Int(flows))
    }

    @Test func flowmixWebSearchFromSendersToReceivers() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { sw: { kind: switch }, "h[0-3]": {} }
            links:
              - endpoints: ["h[0-3]", sw]
                rate: 1gbit
            workloads:
              - plugin: flowmix
                nodes: "h[0-3]"
                params: { load: 0.2, time: 2s, senders: [h0, h1], receivers: [h2], rate: 1gbit }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        #expect(run.result("flows failed") == 0)
        let flows = run.rows("workloads/0-flowmix/tables/flows.csv")
        #expect(!flows.isEmpty)
        #expect(flows.allSatisfy { ["h0", "h1"].contains($0[1]) && $0[2] == "h2" }, "only the listed pairs")
    }
}
