// Every validation error, with its exact line and column.

import Testing
@testable import NetLoomModel

/// A small valid lab to break in one place at a time.
let twoHosts = """
name: pair
nodes:
  h1: {}
  h2: {}
links:
  - endpoints: [h1, h2]
"""

@Suite struct ShapeErrorTests {
    @Test func notYAML() {
        let error = expectError("name: x\nnodes: [a\n", .syntax, line: 3, column: 1, contains: "not valid YAML")
        #expect(error?.path == "")
    }

    @Test func unquotedRangeInAFlowListGetsAHint() {
        expectError("""
        name: x
        nodes:
          gpu[0-1]: {}
          tor: { kind: switch }
        links:
          - endpoints: [gpu[0-1], tor]
        """, .syntax, line: 6, column: 20, contains: "must be quoted")
    }

    @Test func duplicateYAMLKey() {
        expectError("""
        name: x
        nodes:
          h1: {}
          h1: { kind: router }
        """, .syntax, line: 3, column: 3, contains: "duplicate key `h1`")
    }

    @Test func unknownNodeKey() {
        let error = expectError("name: x\nnodes:\n  h1: { knd: router }\n", .unknownKey, line: 3, column: 9, path: "nodes.h1.knd", contains: "unknown key")
        #expect(error?.allowed == "did you mean `kind`?")
        expectError("name: x\nnodes:\n  h1: { kind: bridge }\n", .badValue, line: 3, column: 15, contains: "not a node kind")
    }

    @Test func emptyFile() {
        expectError("", .syntax, line: 1, column: 1, contains: "empty")
    }

    @Test func topLevelNotAMapping() {
        expectError("- a\n- b\n", .syntax, line: 1, column: 1, contains: "expected a lab")
    }

    @Test func unknownTopLevelKeySuggestsTheClosest() {
        let error = expectError(twoHosts + "\nlnks: []\n", .unknownKey, line: 7, column: 1, path: "lnks", contains: "unknown key `lnks`")
        #expect(error?.allowed == "did you mean `links`?")
    }

    @Test func unknownLinkKeySuggestsDelay() {
        let error = expectError("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            dealy: 20ms
        """, .unknownKey, line: 5, column: 5, path: "links[0].dealy", contains: "unknown key")
        #expect(error?.allowed == "did you mean `delay`?")
        #expect(error?.description == "test.yaml:5:5: links[0].dealy: unknown key `dealy`; did you mean `delay`?")
    }

    @Test func endpointsInDefaultsAreMisplaced() {
        expectError("""
        name: x
        defaults:
          link: { endpoints: [a, b] }
        nodes: { h1: {} }
        """, .unknownKey, line: 3, column: 11, path: "defaults.link.endpoints", contains: "cannot have a default")
    }

    @Test func missingName() {
        expectError("nodes: { h1: {} }\n", .missingKey, line: 1, column: 1, path: "name", contains: "no `name`")
    }

    @Test func badLabName() {
        expectError("name: Ring_8\nnodes: { h1: {} }\n", .badName, line: 1, column: 7, path: "name", contains: "not a valid lab name")
        expectError("name: abcdefghijklmnopqrstu\nnodes: { h1: {} }\n", .badName, line: 1, column: 7, contains: "not a valid lab name")
    }

    @Test func wrongShape() {
        expectError("name: x\nnodes: [h1, h2]\n", .syntax, line: 2, column: 8, path: "nodes", contains: "expected a mapping of node names")
    }

    @Test func missingEndpoints() {
        expectError("""
        name: x
        nodes: { h1: {} }
        links:
          - { delay: 1ms }
        """, .missingKey, line: 4, column: 5, path: "links[0].endpoints", contains: "no `endpoints`")
    }

    @Test func threeEndpoints() {
        expectError("""
        name: x
        nodes: { h1: {}, h2: {}, h3: {} }
        links:
          - endpoints: [h1, h2, h3]
        """, .badValue, line: 4, column: 16, contains: "exactly two endpoints")
    }
}

@Suite struct UnitErrorTests {
    func lab(_ field: String) -> String {
        """
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            \(field)
        """
    }

    @Test func badRateMatchesTheBriefsExample() {
        let error = expectError(lab("rate: 10 gbits"), .badValue, line: 5, column: 11, path: "links[0].rate", contains: "is not a rate")
        #expect(error?.description == #"test.yaml:5:11: links[0].rate: "10 gbits" is not a rate; use a number with bit, kbit, mbit, gbit or tbit (e.g. 10gbit)"#)
    }

    @Test func bareNumbers() {
        expectError(lab("delay: 20"), .badValue, line: 5, column: 12, contains: "has no unit")
        expectError(lab("loss: 0.1"), .badValue, line: 5, column: 11, contains: "no % sign")
        expectError(lab("queue: 1000"), .badValue, line: 5, column: 12, contains: "not a queue size")
    }

    @Test func absurdValues() {
        expectError(lab("delay: 2h"), .badValue, line: 5, column: 12, contains: "more than an hour")
        expectError(lab("jitter: 61m"), .badValue, line: 5, column: 13, contains: "more than an hour")
        expectError(lab("delay: -1ms"), .badValue, line: 5, column: 12, contains: "negative")
        expectError(lab("loss: 150%"), .badValue, line: 5, column: 11, contains: "more than 100%")
        expectError(lab("rate: 0mbit"), .badValue, line: 5, column: 11, contains: "zero")
        expectError(lab("queue: 0p"), .badValue, line: 5, column: 12, contains: "empty queue")
        expectError(lab("mtu: 100"), .badValue, line: 5, column: 10, contains: "out of range")
    }

    @Test func badWords() {
        let error = expectError(lab("distribution: normall"), .badValue, line: 5, column: 19, contains: "not a delay distribution")
        #expect(error?.allowed.hasPrefix("did you mean `normal`?") == true)
        expectError(lab("backend: netem"), .badValue, line: 5, column: 14, contains: "not a backend")
        expectError(lab("keep_order: maybe"), .badValue, line: 5, column: 17, contains: "not true or false")
    }

    @Test func perDirectionFieldPath() {
        expectError(lab("from_b: { rate: fast }"), .badValue, line: 5, column: 21, path: "links[0].from_b.rate", contains: "is not a rate")
    }

    @Test func mtuInFromAIsMisplaced() {
        expectError(lab("from_a: { mtu: 9000 }"), .unknownKey, line: 5, column: 15, contains: "whole link")
    }

    @Test func errorsAreCollectedAndSortedByLine() {
        let found = errors("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            rate: 10
            delay: 5
          - endpoints: [h2, h1]
            name: back
            loss: 1
        lnks: []
        """)
        #expect(found.map(\.line) == [5, 6, 9, 10])
    }
}

@Suite struct NameErrorTests {
    @Test func duplicateNodeAfterExpansion() {
        expectError("""
        name: x
        nodes:
          gpu[0-3]: {}
          gpu[2-5]: {}
        """, .duplicate, line: 4, column: 3, path: "nodes.gpu[2-5]", contains: "node `gpu2` is defined twice")
    }

    @Test func invalidHostnames() {
        expectError("name: x\nnodes:\n  Gpu0: {}\n", .badName, line: 3, column: 3, contains: "not a valid node name")
        expectError("name: x\nnodes:\n  0gpu: {}\n", .badName, line: 3, column: 3, contains: "not a valid node name")
        expectError("name: x\nnodes:\n  gpu-: {}\n", .badName, line: 3, column: 3, contains: "not a valid node name")
        expectError("name: x\nnodes:\n  gpu_0: {}\n", .badName, line: 3, column: 3, contains: "not a valid node name")
        expectError("name: x\nnodes:\n  \(String(repeating: "a", count: 64)): {}\n", .badName, line: 3, column: 3, contains: "not a valid node name")
    }

    @Test func emptyAndMalformedRanges() {
        expectError("name: x\nnodes:\n  gpu[5-2]: {}\n", .badName, line: 3, column: 3, contains: "expands to nothing")
        expectError("name: x\nnodes:\n  gpu[1-x]: {}\n", .badName, line: 3, column: 3, contains: "malformed")
        expectError("name: x\nnodes:\n  a[1-2]b[1-3]: {}\n", .badName, line: 3, column: 3, contains: "more than one range")
    }

    @Test func linkToUnknownNode() {
        let error = expectError("""
        name: x
        nodes: { gpu0: {}, tor: { kind: switch } }
        links:
          - endpoints: [gpu1, tor]
        """, .unknownReference, line: 4, column: 17, path: "links[0].endpoints[0]", contains: "no node named `gpu1`")
        #expect(error?.allowed == "did you mean `gpu0`?")
    }

    @Test func zipOfUnequalRanges() {
        expectError("""
        name: x
        nodes:
          a[0-3]: {}
          b[0-2]: {}
        links:
          - endpoints: ["a[0-3]", "b[0-2]"]
        """, .badName, line: 6, column: 17, contains: "expand to 4 and 3 nodes")
    }

    @Test func linkToItself() {
        expectError("""
        name: x
        nodes: { h1: {} }
        links:
          - endpoints: [h1, h1]
        """, .topology, line: 4, column: 17, contains: "from `h1` to itself")
    }

    @Test func duplicateLinkNames() {
        expectError("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
          - endpoints: [h1, h2]
        """, .duplicate, line: 5, column: 17, contains: "link name `h1--h2` is used twice")
        expectError("""
        name: x
        nodes: { h1: {}, h2: {}, h3: {} }
        links:
          - { endpoints: [h1, h2], name: wan }
          - { endpoints: [h2, h3], name: wan }
        """, .duplicate, line: 5, column: 34, contains: "link name `wan` is used twice")
    }

    @Test func oneNameForManyLinks() {
        expectError("""
        name: x
        nodes: { "h[0-3]": {}, s: { kind: switch } }
        links:
          - { endpoints: ["h[0-3]", s], name: up }
        """, .duplicate, line: 4, column: 39, contains: "cannot share one name")
    }

    @Test func interfaceNames() {
        expectError("""
        name: x
        nodes: { r1: { kind: router }, r2: { kind: router } }
        links:
          - endpoints: ["r1:averyveryverylongname", r2]
        """, .badName, line: 4, column: 17, contains: "Linux allows at most 15")
        expectError("""
        name: x
        nodes: { r1: { kind: router }, r2: { kind: router }, r3: {} }
        links:
          - endpoints: ["r1:wan0", r2]
          - endpoints: ["r1:wan0", r3]
        """, .duplicate, line: 5, column: 17, contains: "interface `wan0` is used twice on `r1`")
    }

    @Test func switchLoopIsNamed() {
        let error = expectError("""
        name: x
        nodes:
          s[1-3]: { kind: switch }
        links:
          - endpoints: [s1, s2]
          - endpoints: [s2, s3]
          - endpoints: [s3, s1]
        """, .topology, line: 7, column: 5, contains: "switch links form a loop")
        #expect(error?.message == "switch links form a loop: s3 -- s2 -- s1 -- s3")
    }

    @Test func twoParallelSwitchLinksAreALoop() {
        expectError("""
        name: x
        nodes: { s1: { kind: switch }, s2: { kind: switch } }
        links:
          - endpoints: [s1, s2]
          - { endpoints: [s1, s2], name: second }
        """, .topology, line: 5, column: 5, contains: "s1 -- s2 -- s1")
    }

    @Test func aTreeOfSwitchesIsFine() throws {
        let lab = try resolve("""
        name: x
        nodes:
          core: { kind: switch }
          edge[1-2]: { kind: switch }
          h[1-4]: {}
        links:
          - endpoints: ["edge[1-2]", core]
          - endpoints: ["h[1-2]", edge1]
          - endpoints: ["h[3-4]", edge2]
        """)
        #expect(lab.segments.count == 1)
        #expect(lab.segments[0].members.count == 4)
    }
}

@Suite struct ImpairmentErrorTests {
    func lab(_ fields: String, backend: String = "") -> String {
        """
        name: x
        \(backend)
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            \(fields)
        """
    }

    @Test func reorderWithoutDelay() {
        expectError(lab("reorder: 1%"), .conflict, line: 6, column: 14, path: "links[0].reorder", contains: "reorder needs a delay")
    }

    @Test func reorderWithDelayFromDefaultsIsFine() {
        #expect(errors("""
        name: x
        defaults: { link: { delay: 1ms } }
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], reorder: 1% }
        """).isEmpty)
    }

    @Test func correlationsWithoutBase() {
        expectError(lab("loss_correlation: 25%"), .conflict, line: 6, column: 23, contains: "loss_correlation without loss")
        expectError(lab("delay_correlation: 25%"), .conflict, line: 6, column: 24, contains: "delay_correlation without jitter")
        expectError(lab("duplicate_correlation: 5%"), .conflict, line: 6, column: 28, contains: "without duplicate")
        expectError(lab("corrupt_correlation: 5%"), .conflict, line: 6, column: 26, contains: "without corrupt")
        expectError(lab("reorder_correlation: 5%"), .conflict, line: 6, column: 26, contains: "reorder_correlation without reorder")
    }

    @Test func zeroCorrelationWithoutBaseIsHarmless() {
        #expect(errors(lab("loss_correlation: 0%")).isEmpty)
    }

    @Test func distributionWithoutJitter() {
        expectError(lab("distribution: pareto"), .conflict, line: 6, column: 19, contains: "without jitter")
    }

    @Test func jitterWithoutDelayIsAllowed() {
        #expect(errors(lab("jitter: 1ms")).isEmpty)
    }

    @Test func lossAndLossModelAreAlternatives() {
        expectError("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            loss: 1%
            loss_model: { gilbert_elliott: { p: 1% } }
        """, .conflict, line: 6, column: 17, contains: "alternatives")
    }

    @Test func lossModelNeedsP() {
        expectError(lab("loss_model: { gilbert_elliott: { r: 10% } }"), .missingKey, line: 6, column: 36, contains: "needs `p`")
        expectError(lab("loss_model: { gilbert_elliott: { p: 1%, q: 1% } }"), .unknownKey, line: 6, column: 45, contains: "unknown key `q`")
    }

    @Test func userspaceOnlyFeaturesOnTheKernelBackend() {
        let error = expectError(lab("aqm: codel", backend: "backend: kernel"), .unsupportedByBackend, line: 6, column: 10,
                                contains: "aqm codel needs the userspace backend")
        #expect(error?.allowed.contains("set at 2:10") == true)
        expectError("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            backend: kernel
            from_a: { rate_trace: lte.trace }
        """, .unsupportedByBackend, line: 6, column: 27, path: "links[0].from_a.rate_trace", contains: "rate_trace needs the userspace backend")
    }

    @Test func autoBackendWithUserspaceFeaturesBecomesUserspace() throws {
        let lab = try resolve(lab("aqm: codel"))
        #expect(lab.links[0].backend == .userspace)
        let plain = try resolve(self.lab("delay: 1ms"))
        #expect(plain.links[0].backend == .auto)
    }

    @Test func rateAndTraceInOnePlace() {
        expectError("""
        name: x
        nodes: { h1: {}, h2: {} }
        links:
          - endpoints: [h1, h2]
            rate: 1gbit
            rate_trace: a.trace
        """, .conflict, line: 6, column: 17, contains: "alternatives")
    }

    @Test func queueSmallerThanAFrame() {
        expectError(lab("queue: 1000B"), .badValue, line: 6, column: 12, contains: "cannot hold one 1514-byte frame")
    }

    @Test func smallMTUWithIPv6() {
        expectError(lab("mtu: 1000"), .conflict, line: 6, column: 10, contains: "below IPv6's minimum")
        #expect(errors("""
        name: x
        settings: { ipv6: false }
        nodes: { h1: {}, h2: {} }
        links:
          - { endpoints: [h1, h2], mtu: 1000 }
        """).isEmpty)
    }

    @Test func errorFromDefaultsIsReportedOnce() {
        let found = errors("""
        name: x
        defaults: { link: { reorder: 1% } }
        nodes: { "h[0-9]": {}, s: { kind: switch } }
        links:
          - endpoints: ["h[0-9]", s]
        """)
        #expect(found.count == 1)
        #expect(found.first?.line == 2)
    }
}

@Suite struct ReferenceErrorTests {
    @Test func timelineUnknownLink() {
        let error = expectError(twoHosts + """

        timeline:
          - { at: 1s, link: h1--h3, down: 1s }
        """, .unknownReference, line: 8, column: 21, path: "timeline[0].link", contains: "no link named `h1--h3`")
        #expect(error?.allowed == "did you mean `h1--h2`?")
    }

    @Test func timelineNegativeTime() {
        expectError(twoHosts + """

        timeline:
          - { at: -1s, link: h1--h2, up: true }
        """, .badValue, line: 8, column: 11, contains: "negative")
    }

    @Test func timelineNeedsOneAction() {
        expectError(twoHosts + """

        timeline:
          - { at: 1s, link: h1--h2 }
        """, .missingKey, line: 8, column: 5, contains: "does nothing")
        expectError(twoHosts + """

        timeline:
          - { at: 1s, link: h1--h2, up: true, down: 1s }
        """, .conflict, line: 8, column: 5, contains: "more than one")
    }

    @Test func timelineSetCannotChangeMTU() {
        expectError(twoHosts + """

        timeline:
          - { at: 1s, link: h1--h2, set: { mtu: 9000 } }
        """, .unknownKey, line: 8, column: 36, contains: "cannot change while the lab runs")
    }

    @Test func timelineSetIsValidatedLikeALink() {
        expectError(twoHosts + """

        timeline:
          - { at: 1s, link: h1--h2, set: { reorder: 5% } }
        """, .conflict, line: 8, column: 45, contains: "reorder needs a delay")
    }

    @Test func workloadUnknownNodes() {
        expectError(twoHosts + """

        workloads:
          - { plugin: ping, nodes: ["h[1-3]"] }
        """, .unknownReference, line: 8, column: 29, path: "workloads[0].nodes[0]", contains: "no node named `h3`")
    }

    @Test func workloadNeedsPlugin() {
        expectError(twoHosts + """

        workloads:
          - { nodes: h1 }
        """, .missingKey, line: 8, column: 5, contains: "no `plugin`")
    }

    @Test func sysctlsMustBeNet() {
        expectError("""
        name: x
        settings:
          sysctls: { kernel.pid_max: "100" }
        nodes: { h1: {} }
        """, .badValue, line: 3, column: 14, contains: "not a net.* sysctl")
    }
}
