import Foundation
import Testing
@testable import NetLoomReports

@Suite("SVG charts")
struct ChartTests {
    static let time = ChartAxis("time", unit: "s", domain: (0, 10))
    static let percent = ChartAxis("share", unit: "%", domain: (0, 100))

    func chart(_ series: [ChartSeries], markers: [ChartMarker] = [], x: ChartAxis = ChartTests.time, y: ChartAxis = ChartTests.percent) -> LineChart {
        LineChart(title: "Test chart", x: x, y: y, series: series, markers: markers, id: "t")
    }

    @Test func pathsFollowTheScales() {
        // Plot area: x 64...702, y 226 (bottom) ... 26 (top) without markers.
        let line = ChartSeries("a", points: [ChartPoint(0, 0), ChartPoint(5, 50), ChartPoint(10, 100)], color: "#000")
        let chart = chart([line])
        let layout = chart.layout()
        #expect(layout.plotLeft == 64 && layout.plotRight == 702 && layout.plotTop == 26 && layout.plotBottom == 226)
        #expect(chart.svg().contains("d=\"M64 226 L383 126 L702 26\""))
    }

    @Test func stepSeriesHoldEachValueToTheNextAndToTheEnd() {
        let steps = ChartSeries("rate", points: [ChartPoint(0, 100), ChartPoint(5, 50)], color: "#000", style: .dashed, interpolation: .stepAfter)
        let svg = chart([steps]).svg()
        #expect(svg.contains("d=\"M64 26 H383 V126 H702\""))
        #expect(svg.contains("stroke-dasharray=\"6 4\""))
    }

    @Test func fittedDomainsStartAtZeroAndEndOnANiceNumber() {
        let line = ChartSeries("a", points: [ChartPoint(1, 12), ChartPoint(4, 189)], color: "#000")
        let chart = LineChart(title: "t", x: ChartAxis("time", unit: "s"), y: ChartAxis("rate", unit: "Mbit/s"), series: [line], id: "t")
        let (x, y) = chart.domains()
        #expect(x == (1, 4))
        #expect(y == (0, 200))
        #expect(chart.layout().yScale.ticks() == [0, 50, 100, 150, 200])
    }

    @Test func markerLabelsTakeRowsWhenTheyWouldOverlap() {
        let markers = [
            ChartMarker(x: 1, label: "T1 wan set", detail: "first", kind: .event),
            ChartMarker(x: 1.2, label: "w0 start", detail: "second", kind: .workload),
            ChartMarker(x: 9.9, label: "w0 end", detail: "third", kind: .workload),
            ChartMarker(x: 20, label: "outside", detail: "dropped", kind: .event),
        ]
        let chart = chart([ChartSeries("a", points: [ChartPoint(0, 1)], color: "#000")], markers: markers)
        let layout = chart.layout()
        #expect(layout.markerRows.map(\.marker.label) == ["T1 wan set", "w0 start", "w0 end"])
        #expect(layout.markerRows.map(\.row) == [0, 1, 0])
        // Two rows of labels push the plot down.
        #expect(layout.plotTop == 26 + 2 * 12 + 4)
        let svg = chart.svg()
        #expect(occurrences(of: "class=\"marker marker-event\"", in: svg) == 1)
        #expect(occurrences(of: "class=\"marker marker-workload\"", in: svg) == 2)
        #expect(svg.contains("<title>first</title>"))
        #expect(!svg.contains("outside"))
        // The label near the right edge is drawn to the left of its line.
        #expect(svg.contains("text-anchor=\"end\" font-size=\"10\" fill=\"#555555\">w0 end</text>"))
    }

    @Test func moreMarkersThanRowsAreLeftToHover() {
        let markers = (0..<8).map { ChartMarker(x: 1 + Double($0) * 0.01, label: "label \($0)", detail: "d\($0)", kind: .event) }
        let layout = chart([], markers: markers).layout()
        #expect(layout.markerRows.count == 8)
        #expect(layout.markerRows.filter { $0.row == nil }.count == 5)
        #expect(layout.plotTop == 26 + 3 * 12 + 4)
    }

    @Test func legendDotsAndTitlesAreThere() {
        let line = ChartSeries("w0 throughput", points: [ChartPoint(1, 10), ChartPoint(2, 20)], color: "#4e79a7")
        let svg = chart([line]).svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<title id=\"t-title\">Test chart</title>"))
        #expect(occurrences(of: "<circle", in: svg) == 2)
        #expect(svg.contains("<title>w0 throughput: 20 % at 2 s</title>"))
        #expect(svg.contains(">w0 throughput</text>"))
        #expect(svg.contains(">time (s)</text>") && svg.contains(">share (%)</text>"))
        #expect(svg.contains("clip-path=\"url(#t-clip)\""))
    }

    @Test func anEmptyChartSaysSo() {
        let svg = chart([ChartSeries("a", points: [], color: "#000")]).svg()
        #expect(svg.contains(">no samples</text>"))
        #expect(xmlError(svg) == nil)
    }

    @Test func namesAreEscapedAndTheSVGIsWellFormed() {
        let line = ChartSeries("a<b & \"c\"", points: [ChartPoint(1, 10)], color: "#000")
        let marker = ChartMarker(x: 2, label: "T1 <wan>", detail: "set 'x' & y", kind: .event)
        let svg = chart([line], markers: [marker]).svg()
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;"))
        #expect(svg.contains("T1 &lt;wan&gt;"))
        #expect(!svg.contains("a<b"))
        #expect(xmlError(svg) == nil)
    }

    @Test func downsamplingKeepsPeaksAndTroughs() {
        var points = (0..<10_000).map { ChartPoint(Double($0), sin(Double($0) / 100)) }
        points[5_000].y = 50
        points[7_000].y = -50
        let thin = downsample(points, buckets: 100)
        #expect(thin.count <= 400)
        #expect(thin.contains(ChartPoint(5_000, 50)) && thin.contains(ChartPoint(7_000, -50)))
        #expect(thin.first == points.first && thin.last == points.last)
        #expect(zip(thin, thin.dropFirst()).allSatisfy { $0.x < $1.x })
        #expect(downsample(Array(points.prefix(300)), buckets: 100).count == 300)
    }

    @Test func cdfChartsGoLogWhenValuesSpanDecades() {
        #expect(!CDFChart.wantsLogScale([1, 50]))
        #expect(CDFChart.wantsLogScale([1, 100]))
        #expect(CDFChart.wantsLogScale([0, 5, 600]))
        #expect(!CDFChart.wantsLogScale([]))
        let wide = ChartSeries("rtt", points: [ChartPoint(10, 0), ChartPoint(100, 0.5), ChartPoint(10_000, 1)], color: "#000")
        let log = CDFChart(title: "rtt CDF", quantity: "rtt", unit: "us", series: [wide], id: "c").lineChart
        #expect(log.x.kind == .log && log.x.title == "rtt, log scale (us)")
        #expect(log.y.domain! == (0, 100))
        #expect(log.series[0].points.map(\.y) == [0, 50, 100])
        #expect(log.layout().xScale.ticks() == [10, 100, 1000, 10_000])
        let svg = log.svg()
        #expect(svg.contains(">10k</text>"))
        #expect(xmlError(svg) == nil)
        let narrow = ChartSeries("fct", points: [ChartPoint(20, 0), ChartPoint(37, 1)], color: "#000")
        let linear = CDFChart(title: "fct CDF", quantity: "fct", unit: "ms", series: [narrow], id: "d").lineChart
        #expect(linear.x.kind == .linear && linear.x.domain! == (0, 40))
    }

    @Test func paletteGivesAKeyTheSameColourEveryTime() {
        var palette = Palette()
        let a = palette.color(for: "w0 throughput")
        let b = palette.color(for: "wan h1->h2")
        #expect(a == Palette.colors[0] && b == Palette.colors[1])
        #expect(palette.color(for: "w0 throughput") == a)
    }
}
