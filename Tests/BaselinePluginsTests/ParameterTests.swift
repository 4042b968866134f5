@testable import BaselinePlugins
import NetLoomModel
import NetLoomPluginAPI
import Testing

/// Parameters are checked before anything is built, each error at its line and column
/// (no root needed).
struct ParameterTests {
    func errors(_ workload: String) throws -> [LabError] {
        let (lab, _) = try PluginLabs.lab("""
            name: NAME
            nodes: { a: {}, b: {}, c: {} }
            links:
              - endpoints: [a, b]
              - endpoints: [b, c]
            workloads:
            \(workload)
            """)
        do {
            _ = try PluginLabs.registry.instantiate(lab)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func goodParametersMakePlugins() throws {
        #expect(try errors("""
              - { plugin: bulk, nodes: [a, b], params: { protocol: udp, rate: 10mbit } }
              - { plugin: rr, nodes: [a, b], params: { request: 64B, response: 1MB } }
              - { plugin: incast, nodes: [a, b, c], params: { receiver: b } }
              - { plugin: flowmix, nodes: [a, b, c], params: { distribution: data-mining, rate: 1gbit } }
              - { plugin: exec, nodes: [a, b, c], params: { command: [sh, -c, 'echo ${RANK} {rank}'], env: ["X={node}"] } }
              - { plugin: pingpong, nodes: [a, b] }
            """).isEmpty)
    }

    @Test func eachProblemIsALocatedError() throws {
        let found = try errors("""
              - { plugin: rr, nodes: [a, b, c] }
              - { plugin: incast, nodes: [a, b], params: { receiver: z } }
              - { plugin: flowmix, nodes: [a, b], params: { sizes: [10KB:1, "1MB"] } }
              - { plugin: flowmix, nodes: [a, b], params: { sizes: [10KB:1], distribution: web-search } }
              - { plugin: exec, nodes: [a], params: { command: [echo, "{rnak}"] } }
              - { plugin: exec, nodes: [a], params: { command: [echo], env: [NOEQUALS] } }
              - { plugin: bulk, nodes: [a, b], params: { protocol: udp, message: 4B } }
            """)
        let messages = found.map(\.description)
        #expect(found.count == 7, "\(messages)")
        #expect(messages.contains { $0.contains("runs on exactly 2 nodes, got 3") })
        #expect(messages.contains { $0.contains("\"z\" is not one of the workload's nodes") })
        #expect(messages.contains { $0.contains("\"1MB\" is not size:weight") })
        #expect(messages.contains { $0.contains("either `distribution` or `sizes`") })
        #expect(messages.contains { $0.contains("unknown placeholder {rnak}") })
        #expect(messages.contains { $0.contains("\"NOEQUALS\" is not KEY=VALUE") })
        #expect(messages.contains { $0.contains("8-byte sequence number") })
        #expect(found.allSatisfy { $0.location.line >= 7 }, "at the workload's line")
    }
}

struct FlowSizeDistributionTests {
    @Test func builtInMeans() {
        #expect(abs(FlowSizeDistribution.webSearch.mean - 1_711_250) < 1)
        #expect(abs(FlowSizeDistribution.dataMining.mean - 5_036_535.175) < 1)
    }

    @Test func sizesFollowTheCDF() {
        let web = FlowSizeDistribution.webSearch
        #expect(web.size(at: 0.15) == 10_000)
        #expect(web.size(at: 0.75) == 1_500_000, "halfway between 1 MB (0.7) and 2 MB (0.8)")
        #expect(web.size(at: 0.999_999) <= 30_000_000)
        var random = SeededRandom(seed: 3)
        let sizes = (0..<200_000).map { _ in Double(web.size(at: random.unit())) }
        let mean = sizes.reduce(0, +) / Double(sizes.count)
        #expect(abs(mean / web.mean - 1) < 0.02, "sample mean \(mean)")
    }

    @Test func listsAreWeighted() throws {
        let mix = try FlowSizeDistribution.list(["10KB:6", "500KB:3", "12MB:1"])
        #expect(mix.mean == 1_356_000)
        #expect(mix.size(at: 0.59) == 10_000)
        #expect(mix.size(at: 0.61) == 500_000)
        #expect(mix.size(at: 0.95) == 12_000_000)
        #expect(throws: UnitSyntaxError.self) { try FlowSizeDistribution.list(["10KB:0"]) }
        #expect(throws: UnitSyntaxError.self) { try FlowSizeDistribution.list(["10 apples:1"]) }
    }

    @Test func poissonGapsHaveTheirMean() {
        var random = SeededRandom(seed: 11)
        let gaps = (0..<100_000).map { _ in random.exponential(mean: 0.02) }
        let mean: Double = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean / 0.02 - 1) < 0.02)
        var again = SeededRandom(seed: 11)
        #expect(again.exponential(mean: 0.02) == gaps[0], "seeded: the same draws every run")
    }
}
