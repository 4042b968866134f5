import Foundation
import NetLoomCore
import Testing

/// Every plugin runs in a real lab; one lab at a time (the machine has 2 cores and
/// the figures are throughputs and latencies).
@Suite(.serialized, .enabled(if: PluginLabs.available, "needs root (network namespaces)"))
struct PluginLabTests {}

extension PluginLabTests {
    @Test func bulkTCPOneFlow() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { time: 1500ms }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let throughput = try #require(run.workload().headline["throughput"]?.value)
        #expect(throughput > 500, "an unshaped veth carries Gbit/s: \(throughput) Mbit/s; \(run.diagnosis)")
        #expect(run.result("received") == run.result("sent"))
        let series = run.rows("workloads/0-bulk/series.csv").filter { $0[1] == "throughput" }
        #expect(series.count >= 1, "a throughput sample each second")
        #expect(run.rows("tcp.csv").contains { $0[2] == "a" } || run.rows("tcp.csv").contains { $0[2] == "b" }, "TCP_INFO sampled")
    }

    @Test func bulkTCPFourFlowsBytesModeReverse() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                rate: 1gbit
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { flows: 4, bytes: 20000001B, reverse: true }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        #expect(run.result("received") == 20_000_001, "bytes mode sends exactly that much, split over the flows")
        #expect(run.result("sent") == 20_000_001)
        let throughput = try #require(run.result("throughput"))
        // 20 MB is mostly slow start: only an upper bound holds.
        #expect(throughput > 0 && throughput <= 1000, "\(throughput) Mbit/s through 1 Gbit/s")
    }

    @Test func bulkTCPOnARateLimitedLink() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                rate: 100mbit
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { time: 3s }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let throughput = try #require(run.result("throughput"))
        // The TCP payload share of 100 Mbit/s at MTU 1500 is 95.6 Mbit/s.
        #expect(throughput > 88 && throughput < 100, "\(throughput) Mbit/s through 100 Mbit/s")
    }

    @Test func bulkUDPCountsLoss() async throws {
        // A low rate: the loss comes from the link engine, which other suites running at the
        // same time must not starve into dropping datagrams of its own.
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                loss: 10%
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { protocol: udp, rate: 10mbit, time: 3s }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let loss = try #require(run.workload().headline["loss"]?.value)
        // About 2680 datagrams: 10% +- 2.5% is over 4 standard deviations.
        #expect(loss > 7.5 && loss < 12.5, "loss \(loss)% on a 10% link")
        let throughput = try #require(run.result("throughput"))
        #expect(throughput > 8 && throughput < 10, "paced at 10 Mbit/s, 10% lost: \(throughput)")
    }
}

extension PluginLabTests {
    @Test func bulkUDPIsPacedAtItsRate() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { protocol: udp, rate: 200mbit, flows: 2, time: 2s, message: 1000B }
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let throughput = try #require(run.result("throughput"))
        #expect(throughput > 190 && throughput < 202, "paced at 200 Mbit/s: \(throughput)")
        // 200 Mbit/s of 1000-byte payloads for 2 s: 50,000 datagrams, within 2.5% (the sending threads
        // start and stop on a loaded machine's schedule).
        let sent = try #require(run.result("datagrams sent"))
        #expect(abs(sent - 50_000) < 1_250, "\(sent) datagrams")
        #expect((run.result("loss") ?? 100) < 1)
    }
}

extension PluginLabTests {
    @Test func bulkStopsWhenTheRunIsInterrupted() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
                rate: 100mbit
            workloads:
              - plugin: bulk
                nodes: [a, b]
                params: { time: 60s, flows: 2 }
            """, cancelAfter: .seconds(1))
        #expect(run.summary.status == .interrupted, "\(run.diagnosis)")
        #expect(run.workload().status == "cancelled", "\(run.diagnosis)")
        #expect(run.workload().finished - run.workload().started < 5, "stopped at once")
    }
}
