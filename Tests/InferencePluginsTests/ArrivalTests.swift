import Foundation
@testable import InferencePlugins
import Testing

struct ArrivalTests {
    static func gaps(rate: Double, burstiness: Double, count: Int = 20_000) -> (mean: Double, cv: Double) {
        var random = SeededRandom(seed: 42)
        let offsets = GammaArrivals(rate: rate, burstiness: burstiness).offsets(count: count, random: &random)
        let gaps = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        return (mean, variance.squareRoot() / mean)
    }

    @Test(arguments: [0.25, 1.0, 4.0])
    func gammaGapsHaveTheMeanOfTheRateAndTheSpreadOfTheBurstiness(burstiness: Double) {
        let (mean, cv) = Self.gaps(rate: 20, burstiness: burstiness)
        #expect(abs(mean - 0.05) / 0.05 < 0.03, "mean gap \(mean)")
        // Gamma(k): coefficient of variation 1/sqrt(k); Poisson (k = 1) has 1.
        let expected = 1 / burstiness.squareRoot()
        #expect(abs(cv - expected) / expected < 0.05, "cv \(cv), expected \(expected)")
    }

    @Test func theFirstRequestLeavesAtOnceAndSeedsRepeat() {
        var a = SeededRandom(seed: 7)
        var b = SeededRandom(seed: 7)
        let first = GammaArrivals(rate: 5).offsets(count: 10, random: &a)
        #expect(first[0] == 0)
        #expect(first == GammaArrivals(rate: 5).offsets(count: 10, random: &b))
    }

    @Test func tokenLengthsStayInTheirRange() {
        var random = SeededRandom(seed: 1)
        let lengths = TokenLengths(mean: 100, spread: 0.5)
        #expect(lengths.range == 50...150)
        let draws = (0..<5_000).map { _ in lengths.draw(&random) }
        #expect(draws.allSatisfy { (50...150).contains($0) })
        let mean = Double(draws.reduce(0, +)) / Double(draws.count)
        #expect(abs(mean - 100) < 2)
        #expect(TokenLengths(mean: 64).draw(&random) == 64)
    }
}

struct TraceTests {
    static let good = """
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46.6805900,374,44
        2023-11-16 18:15:50.9951690,396,109
        2023-11-16 18:15:51.2224670,879,55\r
        2023-11-16 18:16:00,91,0

        """

    @Test func parsesRowsIntoOffsetsAndLengths() throws {
        let trace = try RequestTrace.parse(Self.good, source: "t.csv")
        #expect(trace.requests.count == 4)
        #expect(trace.requests[0] == TraceRequest(offset: 0, promptTokens: 374, outputTokens: 44))
        #expect(abs(trace.requests[1].offset - 4.314579) < 1e-6)
        #expect(abs(trace.requests[3].offset - 13.31941) < 1e-6)
        #expect(trace.requests[3].outputTokens == 0)
    }

    @Test func aWindowRestartsTheClockAndScalesTime() throws {
        let trace = try RequestTrace.parse(Self.good, source: "t.csv")
        let window = trace.window(start: 1, length: 10, speed: 2)
        #expect(window.map(\.promptTokens) == [396, 879])
        #expect(window[0].offset == 0)
        #expect(abs(window[1].offset - (51.2224670 - 50.9951690) / 2) < 1e-6)
        #expect(trace.window(start: 100).isEmpty)
    }

    @Test(arguments: [
        ("TIMESTAMP,Context,GeneratedTokens\n2023-11-16 18:15:46.68,1,1\n", 1, "header"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,1,1\n2023-11-16 18:15:47,2\n", 3, "expected 3 fields"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16T18:15:46.68,1,1\n", 2, "not a timestamp"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-16 18:15:46.68,1,1\n", 2, "not a timestamp"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,1,1\n\n2023-11-16 18:15:47.00,0,5\n", 4, "ContextTokens"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,12,-3\n", 2, "GeneratedTokens"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,12,x\n", 2, "GeneratedTokens"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,1,1\n2023-11-16 18:15:45.00,1,1\n", 3, "earlier"),
        ("TIMESTAMP,ContextTokens,GeneratedTokens\n", 1, "no requests"),
    ])
    func malformedRowsAreRejectedWithTheirLineNumber(text: String, line: Int, message: String) {
        do {
            _ = try RequestTrace.parse(text, source: "bad.csv")
            Issue.record("parsed a malformed trace")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("bad.csv:\(line): "), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test(arguments: [("conv", 19_000...19_400, 1_100.0...1_200.0, 190.0...230.0), ("code", 8_700...8_900, 1_950.0...2_150.0, 20.0...35.0)])
    func theShippedAzureTracesParse(name: String, rows: ClosedRange<Int>, prompt: ClosedRange<Double>, output: ClosedRange<Double>) throws {
        let path = try #require(TraceLocator.path(for: name))
        let trace = try RequestTrace.read(path: path)
        #expect(rows.contains(trace.requests.count))
        let meanPrompt = Double(trace.requests.map(\.promptTokens).reduce(0, +)) / Double(trace.requests.count)
        let meanOutput = Double(trace.requests.map(\.outputTokens).reduce(0, +)) / Double(trace.requests.count)
        #expect(prompt.contains(meanPrompt), "\(meanPrompt)")
        #expect(output.contains(meanOutput), "\(meanOutput)")
        // About an hour.
        #expect((3_000...4_000).contains(trace.requests.last!.offset))
    }
}
