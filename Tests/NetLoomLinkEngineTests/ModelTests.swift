import Foundation
import Testing
@testable import NetLoomLinkEngine

private let ms: Int64 = 1_000_000

struct RateServerTests {
    @Test func constantRateSerializesBackToBack() {
        var rate = RateServer(.constant(bitsPerSecond: 1_000_000_000), epoch: 0)
        // 1514 bytes at 1 Gbit/s = 12,112 ns.
        let s1 = rate.serviceStart(arrival: 1000)
        #expect(s1 == 1000)
        let e1 = rate.serve(start: s1, bytes: 1514)
        #expect(e1 == 1000 + 12_112)
        let s2 = rate.serviceStart(arrival: 1500)
        #expect(s2 == e1)
        #expect(rate.serve(start: s2, bytes: 1514) == e1 + 12_112)
        // Idle link: service starts at arrival.
        let s3 = rate.serviceStart(arrival: 1_000_000)
        #expect(s3 == 1_000_000)
    }

    @Test func constantRateKeepsFractionsOfANanosecond() {
        var rate = RateServer(.constant(bitsPerSecond: 10_000_000_000), epoch: 0)
        var t: Int64 = 0
        for _ in 0..<1000 { t = rate.serve(start: rate.serviceStart(arrival: 0), bytes: 1514) }
        // 1000 x 1211.2 ns exactly.
        #expect(t == 1_211_200)
    }

    @Test func mahimahiTraceUsesOpportunitiesAndWastesIdleOnes() throws {
        // Opportunities at 1, 2, 2, 4 ms; period 4 ms.
        let trace = try MahimahiTrace(timestamps: [1, 2, 2, 4])
        var rate = RateServer(.mahimahi(trace), epoch: 0)
        // A 1500-byte frame at t=0 leaves at the 1 ms opportunity.
        #expect(rate.serve(start: rate.serviceStart(arrival: 0), bytes: 1500) == 1 * ms)
        // 3000 bytes arriving at 1.5 ms use both 2 ms opportunities.
        #expect(rate.serve(start: rate.serviceStart(arrival: 1 * ms + ms / 2), bytes: 3000) == 2 * ms)
        // 100 bytes at 3 ms: next opportunity 4 ms, which keeps 1400 bytes of room.
        #expect(rate.serve(start: rate.serviceStart(arrival: 3 * ms), bytes: 100) == 4 * ms)
        // A frame queued behind it (arrival before 4 ms) uses the leftover.
        #expect(rate.serve(start: rate.serviceStart(arrival: 3 * ms + 1), bytes: 1400) == 4 * ms)
        // Nothing left at 4 ms: the trace loops, next opportunity is 4 + 1 = 5 ms.
        #expect(rate.serve(start: rate.serviceStart(arrival: 3 * ms + 2), bytes: 10) == 5 * ms)
        // Idle until 20.5 ms: opportunities passed are lost; next at 21 ms (cycle 5: 20 + 1).
        #expect(rate.serve(start: rate.serviceStart(arrival: 20 * ms + ms / 2), bytes: 1500) == 21 * ms)
        // A 4000-byte frame spans three opportunities: both at 22 ms and the one at 24 ms.
        #expect(rate.serve(start: rate.serviceStart(arrival: 20 * ms + ms / 2), bytes: 4000) == 24 * ms)
    }

    @Test func mahimahiLongRunRateMatchesTheTrace() {
        let trace = MahimahiTrace.constant(bitsPerSecond: 12e6, periodMilliseconds: 100)
        var rate = RateServer(.mahimahi(trace), epoch: 0)
        var end: Int64 = 0
        var bytes = 0
        while end < 2000 * ms {
            end = rate.serve(start: rate.serviceStart(arrival: 0), bytes: 1514)
            bytes += 1514
        }
        let measured = Double(bytes * 8) / (Double(end) / 1e9)
        #expect(abs(measured - trace.averageBitsPerSecond) / trace.averageBitsPerSecond < 0.01)
    }

    @Test func stepScheduleChangesRateAtBoundaries() throws {
        let schedule = try StepSchedule.parse(text: "0s 8mbit\n1s 0\n2s 16mbit\n")
        var rate = RateServer(.steps(schedule), epoch: 0)
        // 1000 bytes = 8000 bits at 8 Mbit/s = 1 ms.
        #expect(rate.serve(start: 0, bytes: 1000) == 1 * ms)
        // 1000 bytes starting at 999.5 ms: 0.5 ms at 8 Mbit/s (4000 bits), a stall until
        // 2 s, then 4000 bits at 16 Mbit/s = 0.25 ms.
        #expect(rate.serve(start: 999 * ms + ms / 2, bytes: 1000) == 2000 * ms + ms / 4)
        // The last rate holds.
        #expect(rate.serve(start: 100_000 * ms, bytes: 2000) == 100_000 * ms + 1 * ms)
    }
}

struct QueueTests {
    private func saturate(_ shaping: DirectionShaping, frames: Int, bytes: Int) -> (delivered: Int, dropped: Int) {
        var model = DirectionModel(shaping, now: 0)
        var delivered = 0, dropped = 0
        for _ in 0..<frames {
            switch model.schedule(arrival: 0, wireBytes: bytes) {
            case .deliver: delivered += 1
            case .drop(let reason):
                #expect(reason == .queueFull)
                dropped += 1
            }
        }
        return (delivered, dropped)
    }

    @Test func dropTailInPackets() {
        let r = saturate(DirectionShaping(rate: .constant(bitsPerSecond: 1_000_000), queue: .packets(10)), frames: 25, bytes: 1000)
        #expect(r.delivered == 10 && r.dropped == 15)
    }

    @Test func dropTailInBytes() {
        let r = saturate(DirectionShaping(rate: .constant(bitsPerSecond: 1_000_000), queue: .bytes(10_000)), frames: 25, bytes: 3000)
        #expect(r.delivered == 3 && r.dropped == 22)
    }

    @Test func backlogDrainsAsServiceEnds() {
        var model = DirectionModel(DirectionShaping(rate: .constant(bitsPerSecond: 8_000_000), queue: .packets(2)), now: 0)
        // 1000 bytes at 8 Mbit/s = 1 ms each.
        #expect(model.schedule(arrival: 0, wireBytes: 1000) != .drop(.queueFull))
        #expect(model.schedule(arrival: 0, wireBytes: 1000) != .drop(.queueFull))
        #expect(model.schedule(arrival: 0, wireBytes: 1000) == .drop(.queueFull))
        // At 1 ms the first is served: room for one more, released at 3 ms.
        #expect(model.schedule(arrival: 1 * ms, wireBytes: 1000) == .deliver(release: 3 * ms, corrupt: false, reordered: false))
    }

    @Test func packetLimitsCountAGsoFramesSegments() {
        var model = DirectionModel(DirectionShaping(rate: .constant(bitsPerSecond: 8_000_000), queue: .packets(10)), now: 0)
        // 8 wire packets in one super-frame fit; 4 more do not (the worker then splits
        // the frame and offers its segments one by one).
        #expect(model.schedule(arrival: 0, wireBytes: 8 * 1514, segments: 8) != .drop(.queueFull))
        #expect(model.queue.packets == 8)
        #expect(model.schedule(arrival: 0, wireBytes: 4 * 1514, segments: 4) == .drop(.queueFull))
        #expect(model.schedule(arrival: 0, wireBytes: 1514) != .drop(.queueFull))
        #expect(model.schedule(arrival: 0, wireBytes: 1514) != .drop(.queueFull))
        #expect(model.schedule(arrival: 0, wireBytes: 1514) == .drop(.queueFull))
    }

    @Test func gsoFramesCountEverySegmentsHeaders() {
        // TCP/IPv4 with timestamps: 14 + 20 + 32 = 66 header bytes, MSS 1448.
        let frame = makeTCPFrame(payload: 1448 * 3 + 100, gsoSize: 1448)
        var shape = netloomShape(frame)
        #expect(shape.segments == 4)
        #expect(shape.header_bytes == 66)
        #expect(shape.wire_bytes == 4 * 66 + 1448 * 3 + 100)
        #expect(shape.segmentable == 1)
        // A full segment is 1514 bytes on the wire, like tbf's skb->len.
        #expect(shape.segment_wire_bytes == 1514)
        shape = netloomShape(makeTCPFrame(payload: 500, gsoSize: 0))
        #expect(shape.segments == 1 && shape.wire_bytes == 66 + 500)
    }
}

struct CoDelTests {
    @Test func persistentQueueIsControlledAndAShortBurstIsNot() {
        // 12 Mbit/s link fed at ~15 Mbit/s: a standing queue builds.
        let shaping = DirectionShaping(rate: .constant(bitsPerSecond: 12_000_000), queue: .packets(10_000), aqm: .codelDefault)
        var model = DirectionModel(shaping, now: 0)
        var drops: [Int64] = []
        var t: Int64 = 0
        let gap: Int64 = 1514 * 8 * 1_000_000_000 / 15_000_000
        while t < 5_000 * ms {
            if case .drop(let reason) = model.schedule(arrival: t, wireBytes: 1514) {
                #expect(reason == .aqm)
                drops.append(t)
            }
            t += gap
        }
        #expect(!drops.isEmpty)
        // No drop before the sojourn has exceeded 5 ms for a whole 100 ms interval.
        #expect(drops[0] > 100 * ms)
        // The drop rate rises: later seconds drop more than the first.
        let first = drops.filter { $0 < 1_000 * ms }.count
        let last = drops.filter { $0 >= 4_000 * ms }.count
        #expect(last >= first)
        // With this unresponsive overload CoDel cannot reach its target, but its rising
        // drop rate keeps the backlog well below what drop-tail alone would hold.
        var tail = DirectionModel(DirectionShaping(rate: .constant(bitsPerSecond: 12_000_000), queue: .packets(10_000)), now: 0)
        t = 0
        while t < 5_000 * ms {
            _ = tail.schedule(arrival: t, wireBytes: 1514)
            t += gap
        }
        tail.drainQueue(upTo: t)
        model.drainQueue(upTo: t)
        #expect(Double(model.queue.packets) < 0.6 * Double(tail.queue.packets))

        // A burst that drains within the interval is never dropped.
        var calm = DirectionModel(shaping, now: 0)
        for i in 0..<40 {
            #expect(calm.schedule(arrival: Int64(i), wireBytes: 1514) != .drop(.aqm))
        }
    }
}

struct DelayTests {
    @Test func releaseIsServiceEndPlusDelay() {
        var model = DirectionModel(DirectionShaping(delay: .milliseconds(10), rate: .constant(bitsPerSecond: 8_000_000)), now: 0)
        #expect(model.schedule(arrival: 0, wireBytes: 1000) == .deliver(release: 11 * ms, corrupt: false, reordered: false))
        #expect(model.schedule(arrival: 0, wireBytes: 1000) == .deliver(release: 12 * ms, corrupt: false, reordered: false))
    }

    private func releases(keepOrder: Bool, distribution: DelayDistribution = .uniform, count: Int = 20_000) -> [Int64] {
        var model = DirectionModel(DirectionShaping(delay: .milliseconds(10), jitter: .milliseconds(5), distribution: distribution,
                                                    keepOrder: keepOrder, seed: 7), now: 0)
        return (0..<count).map { i in
            guard case .deliver(let release, _, _) = model.schedule(arrival: Int64(i) * 100_000, wireBytes: 100) else { return -1 }
            return release
        }
    }

    @Test func keepOrderNeverReorders() {
        let r = releases(keepOrder: true)
        #expect(zip(r, r.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func withoutKeepOrderJitterReorders() {
        let r = releases(keepOrder: false)
        #expect(zip(r, r.dropFirst()).contains { $0 > $1 })
    }

    @Test(arguments: DelayDistribution.allCases)
    func jitterDistributionsHaveTheirMeanAndSpread(_ distribution: DelayDistribution) {
        var model = JitterModel(delay: .milliseconds(50), jitter: .milliseconds(10), distribution: distribution,
                                correlation: 0, random: &randomForTests)
        let samples = (0..<200_000).map { _ in Double(model.sample(&randomForTests)) / 1e6 }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let sd = (samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)).squareRoot()
        switch distribution {
        case .uniform:
            #expect(abs(mean - 50) < 0.1)
            #expect(abs(sd - 10 / 3.0.squareRoot()) < 0.1)
            #expect(samples.allSatisfy { $0 >= 40 && $0 <= 60 })
        case .normal:
            #expect(abs(mean - 50) < 0.1)
            #expect(abs(sd - 10) < 0.3)
        case .pareto, .paretonormal:
            // Heavy right tail, centred on the delay like netem's tables.
            #expect(abs(mean - 50) < 0.5)
            #expect(sd > 5 && sd < 15)
            let above = samples.filter { $0 > 70 }.count, below = samples.filter { $0 < 30 }.count
            #expect(above > below)
        }
    }

    @Test func correlatedJitterChangesSlowly() {
        func meanStep(_ correlation: Double) -> Double {
            var model = JitterModel(delay: .milliseconds(50), jitter: .milliseconds(10), distribution: .uniform,
                                    correlation: correlation, random: &randomForTests)
            var previous = model.sample(&randomForTests), total = 0.0
            for _ in 0..<50_000 {
                let next = model.sample(&randomForTests)
                total += Double(abs(next - previous))
                previous = next
            }
            return total / 50_000
        }
        #expect(meanStep(0.9) < meanStep(0) / 3)
    }

    @Test func reorderSkipsTheDelay() {
        var model = DirectionModel(DirectionShaping(delay: .milliseconds(10), reorder: Probability(0.25), seed: 3), now: 0)
        var reordered = 0
        for i in 0..<10_000 {
            guard case .deliver(let release, _, let skipped) = model.schedule(arrival: Int64(i), wireBytes: 100) else { continue }
            if skipped {
                reordered += 1
                #expect(release == Int64(i))
            } else {
                #expect(release >= Int64(i) + 10 * ms)
            }
        }
        #expect(abs(Double(reordered) / 10_000 - 0.25) < 0.02)
    }

    @Test func tablesMatchIproute2Files() throws {
        for distribution in [DelayDistribution.normal, .pareto, .paretonormal] {
            let path = "/usr/lib/x86_64-linux-gnu/tc/\(distribution.rawValue).dist"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let values = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
                .flatMap { $0.split(separator: " ").compactMap { Int16($0) } }
            #expect(values == DistributionTables.table(for: distribution), "\(path)")
        }
    }
}

nonisolated(unsafe) var randomForTests = RandomSource(seed: 42)

struct LossTests {
    @Test func randomLossRate() {
        var random = RandomSource(seed: 1)
        var model = LossModel(.random(probability: 0.01), random: &random)
        let n = 1_000_000
        let lost = (0..<n).filter { _ in model.lose(&random) }.count
        #expect(abs(Double(lost) / Double(n) - 0.01) < 0.0005)
    }

    @Test func correlatedLossComesInRuns() {
        func conditional(_ correlation: Double) -> (rate: Double, afterLoss: Double) {
            var random = RandomSource(seed: 2)
            var model = LossModel(.random(probability: 0.3, correlation: correlation), random: &random)
            var previous = false, losses = 0, pairs = 0, lossesAfterLoss = 0
            for _ in 0..<500_000 {
                let lost = model.lose(&random)
                if lost { losses += 1 }
                if previous { pairs += 1; if lost { lossesAfterLoss += 1 } }
                previous = lost
            }
            return (Double(losses) / 500_000, Double(lossesAfterLoss) / Double(pairs))
        }
        let independent = conditional(0), correlated = conditional(0.7)
        #expect(abs(independent.afterLoss - independent.rate) < 0.01)
        #expect(correlated.afterLoss > correlated.rate + 0.05)
    }

    @Test(arguments: [
        LossSpec.gilbertElliott(p: 0.01, r: 0.25, h: 0.1, k: 0.999),
        LossSpec.gilbert(p: 0.02, r: 0.4),
        LossSpec.gilbertElliott(p: 0.05, r: 0.5, h: 0.5, k: 1),
    ])
    func gilbertElliottMatchesItsStationaryRateAndBursts(_ spec: LossSpec) {
        var random = RandomSource(seed: 9)
        var model = LossModel(spec, random: &random)
        let n = 2_000_000
        var lost = 0, bursts = 0, previous = false
        for _ in 0..<n {
            let l = model.lose(&random)
            if l { lost += 1; if !previous { bursts += 1 } }
            previous = l
        }
        let rate = Double(lost) / Double(n)
        #expect(abs(rate - spec.stationaryLoss) / spec.stationaryLoss < 0.05, "rate \(rate) vs \(spec.stationaryLoss)")
        let burst = Double(lost) / Double(bursts)
        #expect(abs(burst - spec.meanBurstLength) / spec.meanBurstLength < 0.05, "burst \(burst) vs \(spec.meanBurstLength)")
    }

    @Test func duplicateAndCorruptProbabilities() {
        var model = DirectionModel(DirectionShaping(duplicate: Probability(0.1), corrupt: Probability(0.05), seed: 5), now: 0)
        var copies = 0, corrupted = 0
        for i in 0..<100_000 {
            let (first, copy) = model.admit(arrival: Int64(i), wireBytes: 100)
            if copy != nil { copies += 1 }
            if case .deliver(_, true, _) = first { corrupted += 1 }
        }
        #expect(abs(Double(copies) / 100_000 - 0.1) < 0.005)
        #expect(abs(Double(corrupted) / 100_000 - 0.05) < 0.005)
    }
}
