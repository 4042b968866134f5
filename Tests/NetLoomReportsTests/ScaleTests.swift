import Testing
@testable import NetLoomReports

@Suite("Scales and ticks")
struct ScaleTests {
    @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(Ticks.niceStep(100, count: 5) == 20)
        #expect(Ticks.niceStep(7, count: 5) == 1)
        #expect(Ticks.niceStep(5.46, count: 10) == 0.5)
        #expect(Ticks.niceStep(189, count: 5) == 50)
        #expect(Ticks.niceStep(0.003, count: 3) == 0.001)
        #expect(Ticks.niceStep(0, count: 5) == 1)
    }

    @Test func linearTicksAreMultiplesInsideTheDomain() {
        #expect(Ticks.linear(0, 100, count: 5) == [0, 20, 40, 60, 80, 100])
        #expect(Ticks.linear(0, 5.46, count: 10) == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5])
        // No floating-point noise, and the end counts even when the division falls just short.
        #expect(Ticks.linear(0, 0.3, count: 3) == [0, 0.1, 0.2, 0.3])
        #expect(Ticks.linear(-10, 10, count: 4) == [-10, -5, 0, 5, 10])
        #expect(Ticks.linear(3, 3, count: 5) == [3])
    }

    @Test func niceUpperBounds() {
        #expect(Ticks.niceUpper(189, count: 5) == 200)
        #expect(Ticks.niceUpper(0.37, count: 5) == 0.4)
        #expect(Ticks.niceUpper(100, count: 5) == 100)
        #expect(Ticks.niceUpper(0, count: 5) == 1)
    }

    @Test func logTicksArePowersOfTenOrTwoAndFiveTimesThem() {
        #expect(Ticks.log(1, 1000) == [1, 10, 100, 1000])
        #expect(Ticks.log(3, 40) == [5, 10, 20])
        #expect(Ticks.log(0, 10) == [])
    }

    @Test func labelsShareOneUnitAndNeedNoMoreDecimalsThanTheStep() {
        #expect(Ticks.labels([0, 5000, 10000, 15000], step: 5000) == ["0", "5k", "10k", "15k"])
        #expect(Ticks.labels([0, 200, 400], step: 200) == ["0", "200", "400"])
        #expect(Ticks.labels([0, 0.5, 1, 1.5], step: 0.5) == ["0", "0.5", "1", "1.5"])
        #expect(Ticks.labels([0, 2_000_000, 4_000_000], step: 2_000_000) == ["0", "2M", "4M"])
        #expect(Ticks.labels([-0.2, 0, 0.2], step: 0.2) == ["-0.2", "0", "0.2"])
        #expect(Ticks.logLabel(1000) == "1k")
        #expect(Ticks.logLabel(0.01) == "0.01")
        #expect(Ticks.logLabel(20) == "20")
        #expect(Ticks.logLabel(2e6) == "2M")
    }

    @Test func linearScaleMapsEndsAndMiddle() {
        let scale = Scale(.linear, domain: (0, 10), pixels: (100, 0))
        #expect(scale(0) == 100)
        #expect(scale(5) == 50)
        #expect(scale(10) == 0)
        #expect(scale(15) == -50)
        #expect(scale.ticks(count: 5) == [0, 2, 4, 6, 8, 10])
    }

    @Test func logScaleMapsDecadesEvenly() {
        let scale = Scale(.log, domain: (1, 100), pixels: (0, 200))
        #expect(scale(1) == 0)
        #expect(abs(scale(10) - 100) < 1e-9)
        #expect(scale(100) == 200)
        #expect(scale(0) == 0)  // at or below 0: the lower end
        #expect(scale.ticks() == [1, 10, 100])
    }

    @Test func aFlatDomainStillHasASpan() {
        let scale = Scale(.linear, domain: (5, 5), pixels: (0, 100))
        #expect(scale.domain.lower == 4 && scale.domain.upper == 6)
        #expect(scale(5) == 50)
        let zero = Scale(.linear, domain: (0, 0), pixels: (0, 100))
        #expect(zero.domain.lower == 0 && zero.domain.upper == 1)
    }
}
