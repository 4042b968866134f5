import Foundation
import NetLoomCore
import Testing

extension PluginLabTests {
    /// 7 senders x 1 MB into one 1 Gbit/s link, with the default queue (one bandwidth-delay
    /// product, about 150 kB) and with a queue that holds a whole round.
    @Test(arguments: ["auto", "8MB"])
    func incastSevenSendersOneMegabyteEach(queue: String) async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes:
              sw: { kind: switch }
              h[0-7]: {}
            links:
              - endpoints: [h0, sw]
                rate: 1gbit
                queue: \(queue)
              - endpoints: ["h[1-7]", sw]
            workloads:
              - plugin: incast
                nodes: "h[0-7]"
                params: { size: 1MB, rounds: 5 }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        #expect(run.result("rounds") == 5)
        #expect(run.result("senders") == 7)
        // 7 MB through the receiver's 1 Gbit/s link: at least 56 ms a round.
        let ideal = try #require(run.result("ideal completion"))
        #expect(abs(ideal - 56) < 0.01)
        let p50 = try #require(run.workload().headline["completion p50"]?.value)
        #expect(p50 >= ideal * 0.99, "completion \(p50) ms, ideal \(ideal) ms")
        let goodput = try #require(run.workload().headline["goodput"]?.value)
        #expect(goodput > 0 && goodput <= 1000, "goodput \(goodput) Mbit/s into a 1 Gbit/s link")
        #expect(run.workload().headline["retransmits"] != nil)
        if queue != "auto" {
            // Nothing is dropped: the round takes its line-rate time (payload share 0.956) and no timeout.
            #expect(goodput > 700, "goodput \(goodput) Mbit/s with a queue that holds a round; \(run.diagnosis)")
            #expect(p50 < 100, "completion \(p50) ms")
        }
        #expect(run.workload().histograms["completion"]?.count == 5)
        #expect(run.rows("workloads/0-incast/series.csv").filter { $0[1] == "completion" }.count == 5, "one point per round")
        #expect(run.counter("bytes") == 35_000_000)
    }

    @Test func incastToAChosenReceiver() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { sw: { kind: switch }, "h[0-2]": {} }
            links:
              - endpoints: ["h[0-2]", sw]
            workloads:
              - plugin: incast
                nodes: "h[0-2]"
                params: { size: 64KiB, rounds: 20, receiver: h2, gap: 1ms }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        #expect(run.result("rounds") == 20)
        #expect(run.result("senders") == 2)
        #expect(run.result("ideal completion") == nil, "no rate: no ideal")
    }
}
