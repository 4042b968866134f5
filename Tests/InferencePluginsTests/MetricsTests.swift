@testable import InferencePlugins
import Testing

/// The serving metrics against values computed by hand (vLLM's definitions, numpy's percentiles).
struct MetricsTests {
    /// Request 1: sent at 0, four one-token chunks at 100, 120, 150, 200 ms.
    /// Request 2: sent at 500 ms, two two-token chunks at 800 and 1000 ms.
    /// Request 3: sent at 1000 ms, failed.
    static var records: [RequestRecord] {
        var first = RequestRecord(id: 1, promptTokens: 100, requestedOutputTokens: 4, sent: 0)
        first.chunkTimes = [0.100, 0.120, 0.150, 0.200]
        first.chunkTokens = [1, 1, 1, 1]
        var second = RequestRecord(id: 2, promptTokens: 300, requestedOutputTokens: 4, sent: 0.5)
        second.chunkTimes = [0.8, 1.0]
        second.chunkTokens = [2, 2]
        var third = RequestRecord(id: 3, promptTokens: 50, requestedOutputTokens: 4, sent: 1.0)
        third.error = "the connection closed"
        return [first, second, third]
    }

    @Test func perRequestMetrics() throws {
        let first = Self.records[0]
        #expect(try #require(first.ttft).isClose(to: 0.100))
        #expect(try #require(first.e2e).isClose(to: 0.200))
        #expect(first.itls.count == 3)
        for (got, want) in zip(first.itls, [0.020, 0.030, 0.050]) { #expect(got.isClose(to: want)) }
        // (200 - 100) / (4 - 1) ms
        #expect(try #require(first.tpot).isClose(to: 0.1 / 3))
        let second = Self.records[1]
        #expect(second.outputTokens == 4)
        #expect(try #require(second.tpot).isClose(to: 0.2 / 3))
        #expect(!Self.records[2].succeeded)
        var single = RequestRecord(id: 4, promptTokens: 1, requestedOutputTokens: 1, sent: 0)
        single.chunkTimes = [0.05]
        single.chunkTokens = [1]
        #expect(single.tpot == nil)
        #expect(single.itls.isEmpty)
    }

    @Test func aggregateMetrics() throws {
        let metrics = ServingMetrics(records: Self.records, objectives: ServiceObjectives(ttft: 0.2, tpot: 0.05))
        #expect(metrics.completed == 2)
        #expect(metrics.failed == 1)
        // From the first send (0) to the last chunk (1.0 s).
        #expect(metrics.duration.isClose(to: 1.0))
        let ttft = try #require(metrics.ttft)
        #expect(ttft.mean.isClose(to: 0.2))
        #expect(ttft.median.isClose(to: 0.2))
        #expect(ttft.p90.isClose(to: 0.28))
        #expect(ttft.p99.isClose(to: 0.298))
        // ITLs of both requests together: 20, 30, 50, 200 ms.
        let itl = try #require(metrics.itl)
        #expect(itl.count == 4)
        #expect(itl.mean.isClose(to: 0.075))
        #expect(itl.median.isClose(to: 0.04))
        #expect(itl.p90.isClose(to: 0.155))
        #expect(itl.p99.isClose(to: 0.1955))
        let tpot = try #require(metrics.tpot)
        #expect(tpot.mean.isClose(to: 0.05))
        let e2e = try #require(metrics.e2e)
        #expect(e2e.mean.isClose(to: 0.35))
        #expect(e2e.p99.isClose(to: 0.497))
        #expect(metrics.requestThroughput.isClose(to: 2))
        #expect(metrics.outputThroughput.isClose(to: 8))
        // Prompt tokens 100 + 300 and output 8 over 1 s.
        #expect(metrics.totalTokenThroughput.isClose(to: 408))
        // Only request 1 meets TTFT <= 200 ms and TPOT <= 50 ms.
        #expect(metrics.goodRequests == 1)
        #expect(try #require(metrics.goodput).isClose(to: 1))
        // Three sends over 1 s: two gaps.
        #expect(try #require(metrics.arrivalRate).isClose(to: 2))
        #expect(metrics.meanPromptTokens.isClose(to: 200))
        #expect(metrics.meanOutputTokens.isClose(to: 4))
    }

    @Test func theDurationRunsUntilEveryRequestHasReturned() {
        var records = Self.records
        // Request 2's stream ended ([DONE]) 10 ms after its last chunk; request 3 failed at 1.6 s.
        records[1].finished = 1.01
        records[2].finished = 1.6
        let metrics = ServingMetrics(records: records)
        #expect(metrics.duration.isClose(to: 1.6))
        #expect(metrics.requestThroughput.isClose(to: 2 / 1.6))
        records[2].finished = nil
        #expect(ServingMetrics(records: records).duration.isClose(to: 1.01))
    }

    @Test func goodputObjectivesEachCount() {
        let records = Self.records
        #expect(ServingMetrics(records: records, objectives: ServiceObjectives(ttft: 0.5)).goodRequests == 2)
        #expect(ServingMetrics(records: records, objectives: ServiceObjectives(tpot: 0.04)).goodRequests == 1)
        #expect(ServingMetrics(records: records, objectives: ServiceObjectives(e2e: 0.199)).goodRequests == 0)
        #expect(ServingMetrics(records: records).goodput == nil)
    }

    @Test func percentilesInterpolateLikeNumpy() {
        let sorted = [1.0, 2, 3, 4, 10]
        #expect(Statistics.percentile(sorted, 50) == 3)
        #expect(Statistics.percentile(sorted, 90).isClose(to: 7.6))
        #expect(Statistics.percentile(sorted, 99).isClose(to: 9.76))
        #expect(Statistics.percentile([5], 99) == 5)
    }

    /// A stream recorded off the wire, as the client's reads delivered it (one read can
    /// carry several events, and an event can be split over reads).
    @Test func metricsFromARecordedStream() throws {
        let reads: [(Double, String)] = [
            (0.0420, #"data: {"id":"cmpl-7","object":"text_completion","created":0,"model":"m","choices":[{"index":0,"text":" tok","logprobs":null,"finish_reason":null}]}"# + "\n\n"),
            (0.0530, #"data: {"id":"cmpl-7","object":"text_completion","created":0,"model":"m","choices":[{"index":0,"text":" tok tok","logprobs":null,"#),
            (0.0610, #""finish_reason":null}]}"# + "\n\n"),
            (0.0700, #"data: {"id":"cmpl-7","object":"text_completion","created":0,"model":"m","choices":[{"index":0,"text":" tok","logprobs":null,"finish_reason":"length"}]}"# + "\n\n"
                + #"data: {"id":"cmpl-7","object":"text_completion","created":0,"model":"m","choices":[],"usage":{"prompt_tokens":128,"completion_tokens":4,"total_tokens":132}}"# + "\n\n"
                + "data: [DONE]\n\n"),
        ]
        var parser = SSEParser()
        var record = RequestRecord(id: 7, promptTokens: 128, requestedOutputTokens: 4, sent: 0.0100)
        var done = false
        for (time, text) in reads {
            for event in parser.feed(Array(text.utf8)) {
                switch event {
                case .tokens(let count):
                    record.chunkTimes.append(time)
                    record.chunkTokens.append(count)
                case .usage(let prompt): record.serverPromptTokens = prompt
                case .done: done = true
                case .error(let message): Issue.record("error event \(message)")
                }
            }
        }
        #expect(done)
        #expect(record.chunkTimes == [0.0420, 0.0610, 0.0700])
        #expect(record.chunkTokens == [1, 2, 1])
        #expect(record.serverPromptTokens == 128)
        // TTFT 32 ms; E2E 60 ms; ITLs 19 and 9 ms; TPOT (60 - 32) / 3 ms.
        #expect(try #require(record.ttft).isClose(to: 0.032))
        #expect(try #require(record.e2e).isClose(to: 0.060))
        #expect(record.itls.count == 2)
        #expect(record.itls[0].isClose(to: 0.019))
        #expect(record.itls[1].isClose(to: 0.009))
        #expect(try #require(record.tpot).isClose(to: 0.028 / 3))
    }

    @Test func sseErrorEventsAndServerWireFormatsParse() {
        var parser = SSEParser()
        let chunk = ServingWire.chunkEvent(id: 3, model: "m", tokens: 5, last: false)
        let usage = ServingWire.usageEvent(id: 3, model: "m", promptTokens: 42, completionTokens: 5)
        let events = parser.feed(Array((chunk + usage + ServingWire.doneEvent + "event: error\ndata: boom\n\n").utf8))
        #expect(events == [.tokens(5), .usage(promptTokens: 42), .done, .error("boom")])
        // Servers that end lines with CRLF, split across reads inside the last blank line.
        var crlf = SSEParser()
        let framed = Array((chunk + ServingWire.doneEvent).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let cut = framed.count - 3
        #expect(crlf.feed(framed[..<cut]) == [.tokens(5)])
        #expect(crlf.feed(framed[cut...]) == [.done])
        #expect(ServingWire.countTokens(ServingWire.prompt(tokens: 37, tokenBytes: 4)) == 37)
        #expect(ServingWire.countTokens(" a  b\u{A0} c d e f g h i j ") == 12)
        #expect(ServingWire.countTokens(ServingWire.prompt(tokens: 1_001, tokenBytes: 3)) == 1_001)
        #expect(ServingWire.prompt(tokens: 10, tokenBytes: 6).utf8.count == 60)
    }
}

extension Double {
    func isClose(to other: Double, tolerance: Double = 1e-9) -> Bool { abs(self - other) <= tolerance * Swift.max(1, abs(other)) }
}
