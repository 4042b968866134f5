import Testing
@testable import NetLoomLinkEngine

struct MahimahiTraceTests {
    @Test func parsesTimestampsCommentsAndRepeats() throws {
        let trace = try MahimahiTrace.parse(text: "# 3 opportunities\n1\n1\n\n5\n")
        #expect(trace.timestamps == [1, 1, 5])
        #expect(trace.periodMilliseconds == 5)
        #expect(trace.averageBitsPerSecond == 3 * 1500 * 8 / 0.005)
    }

    @Test func reportsTheLineOfABadTimestamp() {
        #expect(throws: TraceParseError(line: 3, "expected a timestamp in whole milliseconds, found '7ms'")) {
            try MahimahiTrace.parse(text: "1\n2\n7ms\n")
        }
        #expect(throws: TraceParseError(line: 4, "timestamp 2 is smaller than the one before it (5)")) {
            try MahimahiTrace.parse(text: "1\n5\n\n2\n")
        }
        #expect(throws: TraceParseError.self) { try MahimahiTrace.parse(text: "# nothing\n") }
        #expect(throws: TraceParseError.self) { try MahimahiTrace.parse(text: "0\n0\n") }
    }

    @Test func constantTraceHasTheRequestedAverage() {
        let trace = MahimahiTrace.constant(bitsPerSecond: 12e6)
        #expect(abs(trace.averageBitsPerSecond - 12e6) / 12e6 < 0.01)
    }
}

struct StepScheduleTests {
    @Test func parsesTimesAndRates() throws {
        let s = try StepSchedule.parse(text: "0s 100mbit\n# slower\n10s 20mbit\n10.5s 1gbit\n12 500kbit\n")
        #expect(s.steps == [
            .init(at: .zero, bitsPerSecond: 100_000_000),
            .init(at: .seconds(10), bitsPerSecond: 20_000_000),
            .init(at: .milliseconds(10_500), bitsPerSecond: 1_000_000_000),
            .init(at: .seconds(12), bitsPerSecond: 500_000),
        ])
    }

    @Test func reportsLineNumberedErrors() {
        #expect(throws: TraceParseError(line: 2, "'fast' is not a rate (use bit, kbit, mbit, gbit or tbit)")) {
            try StepSchedule.parse(text: "0s 1mbit\n1s fast\n")
        }
        #expect(throws: TraceParseError(line: 1, "the first step must be at 0s")) {
            try StepSchedule.parse(text: "1s 1mbit\n")
        }
        #expect(throws: TraceParseError(line: 3, "time 1s is not after the step before it")) {
            try StepSchedule.parse(text: "0s 1mbit\n2s 2mbit\n1s 3mbit\n")
        }
        #expect(throws: TraceParseError(line: 2, "expected 'TIME RATE' (e.g. '10s 20mbit'), found '5s'")) {
            try StepSchedule.parse(text: "0 1mbit\n5s\n")
        }
        #expect(throws: TraceParseError(line: 2, "the last rate holds for ever and must be above 0")) {
            try StepSchedule.parse(text: "0 1mbit\n5s 0\n")
        }
        #expect(throws: TraceParseError(line: 1, "'3h' is not a time (use ns, us, ms, s or m)")) {
            try StepSchedule.parse(text: "3h 1mbit\n")
        }
    }
}

struct ShapingValidationTests {
    @Test func rejectsOutOfRangeValues() {
        #expect(throws: EngineError.self) { try DirectionShaping(loss: .random(probability: 1.5)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(delay: .milliseconds(-1)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(rate: .constant(bitsPerSecond: 0)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(queue: .packets(0)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(reorder: Probability(0.1)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(duplicate: Probability(0, correlation: 0.5)).validate() }
        #expect(throws: EngineError.self) { try DirectionShaping(delayCorrelation: 0.3).validate() }
        #expect(throws: Never.self) {
            try DirectionShaping(delay: .milliseconds(10), jitter: .milliseconds(1), loss: .gilbert(p: 0.01, r: 0.3),
                                 reorder: Probability(0.1), rate: .constant(bitsPerSecond: 1_000_000), aqm: .codelDefault).validate()
        }
    }

    @Test func automaticQueueCoversTheBandwidthDelayProduct() {
        let s = DirectionShaping(delay: .milliseconds(20), rate: .constant(bitsPerSecond: 1_000_000_000))
        guard case .bytes(let n) = s.queue else { Issue.record("expected a byte limit"); return }
        #expect(n >= 1_000_000_000 / 8 * 40 / 1000)
    }
}
