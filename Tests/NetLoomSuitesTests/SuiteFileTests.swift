import Foundation
import NetLoomModel
import NetLoomPluginAPI
import NetLoomSuites
import Testing

/// Suite files: matrix expansion, ranges, seeds, and errors at the suite file's line and column.
struct SuiteFileTests {
    static let wanLab = """
        name: wan
        nodes: { a: {}, b: {}, r1: { kind: router }, r2: { kind: router } }
        links:
          - endpoints: [a, r1]
          - endpoints: [r1, r2]
            name: wan
            delay: 10ms
            rate: 100mbit
          - endpoints: [r2, b]
        workloads:
          - plugin: bulk
            nodes: [a, b]
            params: { time: 1s }
        """

    func suite(_ yaml: String) throws -> Suite {
        try SuiteFixtures.suite(yaml, files: ["wan.yaml": Self.wanLab])
    }

    func errors(_ yaml: String) throws -> [LabError] {
        try SuiteFixtures.errors(yaml, files: ["wan.yaml": Self.wanLab])
    }

    @Test func crossedAxesLastChangesFastest() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            axes:
              - path: links[wan].delay
                values: [0ms, 1ms, 5ms, 20ms]
              - path: links[wan].rate
                values: [1gbit, 10gbit]
            """)
        #expect(suite.name == "suite")
        #expect(suite.axes.map(\.name) == ["delay", "rate"])
        let points = suite.points
        #expect(points.count == 8)
        #expect(points.map(\.id) == ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08"])
        #expect(points[0].label == "delay=0ms rate=1gbit")
        #expect(points[1].label == "delay=0ms rate=10gbit")
        #expect(points[7].label == "delay=20ms rate=10gbit")
        #expect(suite.runs.count == 8)
    }

    @Test func zippedAxesChangeTogether() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            repetitions: 3
            axes:
              - zip:
                  - { path: "links[wan].delay", values: [1ms, 10ms, 100ms] }
                  - { path: "links[wan].rate", values: [10gbit, 1gbit, 100mbit], name: bandwidth }
              - path: workloads[0].params.flows
                values: [1, 4]
            """)
        #expect(suite.points.count == 6)
        #expect(suite.points.map(\.label) == [
            "delay=1ms bandwidth=10gbit flows=1", "delay=1ms bandwidth=10gbit flows=4",
            "delay=10ms bandwidth=1gbit flows=1", "delay=10ms bandwidth=1gbit flows=4",
            "delay=100ms bandwidth=100mbit flows=1", "delay=100ms bandwidth=100mbit flows=4",
        ])
        // The manifest keeps the zip, so the report charts delay and bandwidth as one axis.
        #expect(SuiteManifest(suite: suite, created: Date()).axes.map(\.group) == [0, 0, 1])
        let runs = suite.runs
        #expect(runs.count == 18)
        #expect(runs.prefix(4).map(\.folder) == ["p01-r1", "p01-r2", "p01-r3", "p02-r1"])
    }

    @Test func roundsOrderRunsEveryPointThenAgain() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            repetitions: 2
            order: rounds
            axes: [{ path: "links[wan].delay", values: [1ms, 2ms] }]
            """)
        #expect(suite.runs.map(\.folder) == ["p01-r1", "p02-r1", "p01-r2", "p02-r2"])
    }

    @Test func rangesInUnits() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            axes:
              - path: links[wan].delay
                range: { from: 0ms, to: 20ms, step: 5ms }
              - path: links[wan].loss
                range: { from: 0%, to: 1%, step: 0.25% }
              - path: links[wan].rate
                range: { from: 10mbit, to: 10gbit, factor: 10 }
              - path: workloads[0].params.flows
                range: { from: 1, to: 4, count: 4 }
            """)
        let values = suite.axes.map { $0.values.map(\.text) }
        #expect(values[0] == ["0s", "5ms", "10ms", "15ms", "20ms"])
        #expect(values[1] == ["0%", "0.25%", "0.5%", "0.75%", "1%"])
        #expect(values[2] == ["10mbit", "100mbit", "1gbit", "10gbit"])
        #expect(values[3] == ["1", "2", "3", "4"])
        #expect(suite.axes.map(\.quantityKind) == [.time, .percent, .rate, .number])
        #expect(suite.axes[2].displayUnit == "Gbit/s")
        #expect(suite.points.count == 5 * 5 * 4 * 4)
    }

    @Test func everyRunGetsItsLabWithTheValuesAndASeed() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            repetitions: 2
            seed: { base: 7, also: ["workloads[0].params.seed"] }
            axes:
              - path: links[wan].delay
                values: [1ms, 30ms]
            """)
        let labs = try suite.labs()
        #expect(labs.count == 4)
        #expect(labs[0].lab.link(named: "wan")?.aToB.delay == .milliseconds(1))
        #expect(labs[2].lab.link(named: "wan")?.bToA.delay == .milliseconds(30))
        #expect(labs[0].lab.link(named: "wan")?.aToB.rate == .mbit(100), "fields not swept keep their values")
        let seeds = labs.map { $0.lab.seed }
        #expect(Set(seeds).count == 4, "every run its own seed")
        #expect(labs[0].run.seed == seeds[0])
        #expect(try labs[1].lab.workloads[0].params?["seed"]?.string() == String(seeds[1]!))
        // Seeds depend on the point's values, not its position: the same point in another suite keeps them.
        let other = try self.suite("""
            lab: wan.yaml
            repetitions: 2
            seed: { base: 7, also: ["workloads[0].params.seed"] }
            axes:
              - path: links[wan].delay
                values: [30ms]
            """)
        #expect(try other.labs().map { $0.lab.seed } == Array(seeds.suffix(2)))
        let perPoint = try self.suite("""
            lab: wan.yaml
            repetitions: 2
            seed: { base: 7, per: point }
            axes: [{ path: "links[wan].delay", values: [1ms, 30ms] }]
            """)
        let shared = try perPoint.labs().map { $0.lab.seed }
        #expect(shared[0] == shared[1])
        #expect(shared[2] == shared[3])
        #expect(shared[0] != shared[2])
    }

    @Test func anInlineLabKeepsTheSuiteFilesLines() throws {
        let suite = try SuiteFixtures.suite("""
            name: inline-demo
            axes:
              - path: links[0].delay
                values: [1ms, 2ms]
            lab:
              name: inline
              nodes: { a: {}, b: {} }
              links: [{ endpoints: [a, b] }]
            repetitions: 2
            """)
        #expect(suite.labIsInline)
        #expect(suite.base.name == "inline")
        #expect(suite.points.count == 2)
        let errors = try SuiteFixtures.errors("""
            axes:
              - path: links[0].delay
                values: [1ms]
            lab:
              name: inline
              nodes: { a: {}, b: {} }
              links: [{ endpoints: [a, c] }]
            """)
        let error = try #require(errors.first)
        #expect(error.location.line == 7, "\(error)")
        #expect(error.file.hasSuffix("suite.yaml"))
        #expect(error.message.contains("c"))
    }

    @Test func badPathsPointAtTheirStep() throws {
        let errors = try errors("""
            lab: wan.yaml
            axes:
              - path: links[wann].delay
                values: [1ms]
              - path: "links.delay"
                values: [1ms]
            """)
        #expect(errors.count == 2)
        #expect(errors[0].location.line == 3 && errors[0].location.column == 17, "\(errors[0])")
        #expect(errors[0].path == "axes[0].path")
        #expect(errors[0].description.contains("no link named `wann`; did you mean `wan`?"), "\(errors[0])")
        #expect(errors[1].location.line == 5 && errors[1].location.column == 18, "\(errors[1])")
    }

    @Test func badValuesPointAtTheValue() throws {
        let errors = try errors("""
            lab: wan.yaml
            axes:
              - path: links[wan].delay
                values: [1ms, 5 ms]
              - path: links[wan].rate
                values: [1gbit, 10gbit]
            """)
        // One error for the value, though two points use it.
        #expect(errors.count == 1, "\(errors)")
        let error = try #require(errors.first)
        #expect(error.location.line == 4 && error.location.column == 19, "\(error)")
        #expect(error.path == "links[1].delay")
        #expect(error.message.hasPrefix("with delay=5 ms:"), "\(error)")
    }

    @Test func pluginParametersAreCheckedPerPoint() throws {
        let suite = try self.suite("""
            lab: wan.yaml
            axes:
              - path: workloads[0].params.flows
                values: [1, 0, many]
            """)
        let registry = PluginRegistry(SuiteFixtures.baselinePlugins)
        let result = Result { () throws(LabErrors) -> [RunLab] in try suite.labs(registry: registry) }
        guard case .failure(let errors) = result else { throw Unexpected("bad flows should fail") }
        #expect(errors.errors.count == 2, "\(errors)")
        #expect(errors.errors.allSatisfy { $0.location.line == 4 }, "\(errors)")
    }

    @Test func structuralErrors() throws {
        let errors = try errors("""
            lab: wan.yaml
            repetitons: 2
            axes:
              - zip:
                  - { path: "links[wan].delay", values: [1ms, 2ms] }
                  - { path: "links[wan].rate", values: [1gbit] }
              - path: links[wan].delay
                values: [1ms]
              - path: links[wan].loss
                range: { from: 0%, to: 1ms, step: 1% }
              - path: links[wan].jitter
            seed: lots
            """)
        let text = errors.map(\.description).joined(separator: "\n")
        #expect(text.contains("suite.yaml:2:1: repetitons: unknown key `repetitons`; did you mean `repetitions`?"), "\(text)")
        #expect(text.contains("4:5: axes[0].zip: zipped axes must have the same number of values; these have 2, 1"), "\(text)")
        #expect(text.contains("10:28: axes[2].range.to: `to` is a time but `from` is a percentage"), "\(text)")
        #expect(text.contains("11:5: axes[3].values: the axis has no `values` or `range`"), "\(text)")
        #expect(text.contains("12:7: seed: \"lots\" is not a seed"), "\(text)")
    }

    @Test func twoAxesOnOneFieldClash() throws {
        let errors = try errors("""
            lab: wan.yaml
            axes:
              - path: links[wan]
                values: [{ delay: 1ms }]
              - path: links[wan].delay
                values: [1ms]
            """)
        #expect(errors.count == 1)
        #expect(errors[0].location.line == 5)
        #expect(errors[0].message.contains("change the same field"))
    }

    @Test func aMissingLabFile() throws {
        let errors = try SuiteFixtures.errors("lab: nowhere.yaml\naxes: []\n")
        #expect(errors.first?.location.line == 1 && errors.first?.location.column == 6)
        #expect(errors.first?.message.contains("cannot read the lab file") == true)
    }
}
