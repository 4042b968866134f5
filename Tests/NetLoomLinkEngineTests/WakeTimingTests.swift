import Testing
@testable import NetLoomLinkEngine

/// How a worker stages its sleeps (WakeEstimator) and how early it hands frames to
/// the socket (ReleaseLead): plain arithmetic, no clock.
struct WakeTimingTests {
    @Test func spinsInsideTheWindowAndSleepsShortWaitsWhole() {
        let wake = WakeEstimator(spin: 25_000)
        #expect(wake.timeout(left: 10_000) == 0)
        #expect(wake.timeout(left: 25_000) == 0)
        #expect(wake.timeout(left: 100_000) == 75_000)
        #expect(wake.timeout(left: WakeEstimator.shortSleep + 25_000) == WakeEstimator.shortSleep)
    }

    @Test func longWaitsEndTheGuardEarlyButNeverShorterThanAShortSleep() {
        let wake = WakeEstimator(spin: 25_000)
        let guardNs = wake.guardNanoseconds
        #expect(guardNs == 100_000 + 4 * 50_000)
        #expect(wake.timeout(left: 10_000_000) == 10_000_000 - 25_000 - guardNs)
        #expect(wake.timeout(left: 200_000) == WakeEstimator.shortSleep)
    }

    @Test func guardFollowsMeasuredOvershootOfLongSleepsOnly() {
        var quiet = WakeEstimator(spin: 25_000)
        for _ in 0..<200 { quiet.record(requested: 1_000_000, overshoot: 5_000) }
        #expect(quiet.meanOvershoot < 6_000)
        #expect(quiet.guardNanoseconds == WakeEstimator.minimumGuard)

        var noisy = WakeEstimator(spin: 25_000)
        for i in 0..<200 { noisy.record(requested: 20_000_000, overshoot: i % 2 == 0 ? 100_000 : 200_000) }
        #expect(noisy.meanOvershoot > 130_000 && noisy.meanOvershoot < 170_000)
        #expect(noisy.guardNanoseconds > 300_000)

        // Short sleeps say nothing about long ones; absurd overshoots are capped.
        var short = WakeEstimator(spin: 25_000)
        short.record(requested: 100_000, overshoot: 5_000_000)
        #expect(short.meanOvershoot == 100_000)
        for _ in 0..<100 { short.record(requested: 1_000_000, overshoot: 1_000_000_000) }
        #expect(short.guardNanoseconds == WakeEstimator.maximumGuard)
    }

    @Test func leadTakesBackTheLatenessEverySendHasAndNoMore() {
        var lead = ReleaseLead(delay: .milliseconds(1))
        #expect(lead.cap == 100_000)
        // Every send starts 30 us after its (lead-adjusted) release: the lead climbs to about
        // 30 us and hovers just below it, never a step above.
        var highest: Int64 = 0
        for i in 0..<500 {
            let release: Int64 = 1_000_000
            lead.record(release: release, sendStart: release - lead.nanoseconds + 30_000)
            if i > 100 { highest = max(highest, lead.nanoseconds) }
        }
        #expect(lead.nanoseconds >= 20_000 && highest <= 31_000, "lead \(lead.nanoseconds), highest \(highest)")

        // Lateness spread over 0-100 us: about one send in ten starts early, whatever the mean.
        var random = SystemRandomNumberGenerator()
        var early = 0
        for i in 0..<20_000 {
            let lateness = Int64.random(in: 0..<100_000, using: &random)
            let release: Int64 = 0
            let sendStart = release - lead.nanoseconds + lateness
            if i >= 10_000 && sendStart < release { early += 1 }
            lead.record(release: release, sendStart: sendStart)
        }
        #expect(early > 700 && early < 1_300, "\(early) of 10000 sends early")

        // Sends that all start early bring it down to zero, never below.
        for _ in 0..<500 { lead.record(release: 1_000_000, sendStart: 900_000) }
        #expect(lead.nanoseconds == 0)
    }

    @Test func leadIncludesTheMeasuredSendLatency() {
        var lead = ReleaseLead(delay: .milliseconds(1))
        #expect(lead.nanoseconds == 0)  // nothing measured yet
        lead.sendLatency.record(sendStart: 0, deviceEntry: 8_000)
        #expect(lead.nanoseconds == 8_000)
        // Sends start 2 us after their target (release - lead): a send that starts 8 us
        // before its release is on time, so only the 2 us of lateness is added.
        var lowest = Int64.max, highest: Int64 = 0
        for i in 0..<500 {
            let release: Int64 = 1_000_000
            lead.record(release: release, sendStart: release - lead.nanoseconds + 2_000)
            if i > 100 { lowest = min(lowest, lead.nanoseconds); highest = max(highest, lead.nanoseconds) }
        }
        #expect(lowest == 8_000 && highest >= 10_000 && highest <= 11_000, "lead \(lowest)...\(highest)")
        // A quarter of the delay still bounds the whole lead, and no delay means none.
        for delay in [Duration.microseconds(20), .zero] {
            var bounded = ReleaseLead(delay: delay)
            bounded.sendLatency.record(sendStart: 0, deviceEntry: 8_000)
            #expect(bounded.nanoseconds == delay.nanoseconds / 4)
        }
    }

    @Test func sendLatencyIsTheMedianOfTheLastFifteenStampedSends() {
        var estimate = SendLatencyEstimate(enabled: true)
        var start: Int64 = 0
        func send(_ latency: Int64) {
            #expect(estimate.wantsStamp(now: start))
            estimate.record(sendStart: start, deviceEntry: start + latency)
            // One stamped send per millisecond at most.
            #expect(!estimate.wantsStamp(now: start + SendLatencyEstimate.interval - 1))
            start += SendLatencyEstimate.interval
        }
        send(5_000)
        #expect(estimate.nanoseconds == 5_000)
        // A preempted send among warm ones does not move it; a sample is capped at 50 us.
        for latency: Int64 in [4_000, 6_000, 900_000, 5_000] { send(latency) }
        #expect(estimate.nanoseconds == 5_000)
        // The pace changes (sends now come cold): the last fifteen decide, old ones age out.
        for _ in 0..<8 { send(20_000) }
        #expect(estimate.nanoseconds == 20_000)
        for _ in 0..<15 { send(2_000) }
        #expect(estimate.nanoseconds == 2_000)
        for _ in 0..<15 { send(1_000_000) }
        #expect(estimate.nanoseconds == SendLatencyEstimate.maximum)
    }

    @Test func sendLatencySamplingStopsWhereNoStampComesBack() {
        var estimate = SendLatencyEstimate(enabled: true)
        var start: Int64 = 0
        for _ in 0..<SendLatencyEstimate.allowedMisses - 1 {
            let ended = estimate.record(sendStart: start, deviceEntry: nil)
            #expect(!ended)
            start += SendLatencyEstimate.interval
        }
        // A stamp resets the count of misses; the miss that ends the sampling says so, once.
        estimate.record(sendStart: start, deviceEntry: start + 3_000)
        var ended = 0
        for _ in 0..<SendLatencyEstimate.allowedMisses {
            start += SendLatencyEstimate.interval
            #expect(estimate.wantsStamp(now: start))
            if estimate.record(sendStart: start, deviceEntry: nil) { ended += 1 }
        }
        #expect(ended == 1)
        #expect(!estimate.wantsStamp(now: start + 10 * SendLatencyEstimate.interval))
        #expect(estimate.nanoseconds == 3_000)
        #expect(!SendLatencyEstimate(enabled: false).wantsStamp(now: 0))
    }

    @Test func leadIsBoundedByAQuarterOfTheDelayAndAbsentWithoutDelay() {
        var short = ReleaseLead(delay: .microseconds(80))
        for _ in 0..<100 { short.record(release: 0, sendStart: 1_000_000) }
        #expect(short.nanoseconds == 20_000)

        var none = ReleaseLead(delay: .zero)
        for _ in 0..<100 { none.record(release: 0, sendStart: 50_000) }
        #expect(none.nanoseconds == 0)

        var long = ReleaseLead(delay: .milliseconds(50))
        for _ in 0..<1000 { long.record(release: 0, sendStart: 10_000_000) }
        #expect(long.nanoseconds == ReleaseLead.maximum)
        long.reconfigure(delay: .microseconds(40))
        #expect(long.nanoseconds == 10_000)
    }
}
