// Reports / Charts: a line chart as SVG: several series, axes with nice ticks and units, a legend, and
// labelled vertical markers (timeline events, workload starts and ends).

import Foundation

/// A line chart. `svg()` draws it; `layout()` gives the geometry (scales, marker rows)
/// for tests.
public struct LineChart: Sendable {
    public var title: String
    public var x: ChartAxis
    public var y: ChartAxis
    public var series: [ChartSeries]
    public var markers: [ChartMarker]
    /// Unique within a page: it prefixes the ids of the chart's elements.
    public var id: String
    public var width: Double = 720
    public var plotHeight: Double = 200
    /// Series with at most this many points get a dot per point with its value on hover.
    public var dotLimit = 80

    public init(title: String, x: ChartAxis, y: ChartAxis, series: [ChartSeries], markers: [ChartMarker] = [], id: String) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.markers = markers
        self.id = id
    }

    // MARK: - Geometry

    static let left = 64.0
    static let right = 18.0
    static let titleHeight = 26.0
    static let markerRowHeight = 12.0
    static let maxMarkerRows = 3
    static let legendRowHeight = 16.0
    static let characterWidth = 6.0

    public struct Layout: Sendable {
        public var xScale: Scale
        public var yScale: Scale
        public var plotTop: Double
        public var plotBottom: Double
        public var plotLeft: Double
        public var plotRight: Double
        /// For each marker inside the x domain, in `markers` order: its pixel and its label row (nil: no room, hover only).
        public var markerRows: [(marker: ChartMarker, x: Double, row: Int?)]
        public var legend: [(series: Int, x: Double, y: Double)]
        public var height: Double
    }

    /// The x and y domains from the axes, or fitted to the data: x from the smallest to
    /// the largest x; y from 0 (or the smallest value, if negative) to a nice number
    /// above the largest; log axes from the smallest to the largest value above 0.
    public func domains() -> (x: (Double, Double), y: (Double, Double)) {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = points.map(\.x).filter { x.kind == .linear || $0 > 0 } + markers.map(\.x).filter { x.kind == .linear || $0 > 0 }
        let ys = points.map(\.y).filter { y.kind == .linear || $0 > 0 }
        let xDomain = x.domain.map { ($0.lower, $0.upper) } ?? (xs.min() ?? (x.kind == .log ? 1 : 0), xs.max() ?? (x.kind == .log ? 10 : 1))
        let yDomain: (Double, Double)
        if let fixed = y.domain {
            yDomain = (fixed.lower, fixed.upper)
        } else if y.kind == .log {
            yDomain = (ys.min() ?? 1, ys.max() ?? 10)
        } else {
            let low = min(0, ys.min() ?? 0)
            let high = max(ys.max() ?? 1, low == 0 ? 0 : low + 1)
            let upper = high > 0 ? Ticks.niceUpper(high, count: y.tickCount) : 1
            let lower = low < 0 ? -Ticks.niceUpper(-low, count: y.tickCount) : 0
            yDomain = (lower, upper)
        }
        return (xDomain, yDomain)
    }

    public func layout() -> Layout {
        let plotLeft = Self.left
        let plotRight = width - Self.right
        let (xDomain, yDomain) = domains()
        let xScale = Scale(x.kind, domain: xDomain, pixels: (plotLeft, plotRight))

        // Marker labels: greedy rows above the plot, left to right; a label that fits in no row is left to hover.
        var rowEnds: [Double] = []
        var rows: [(marker: ChartMarker, x: Double, row: Int?)] = []
        for marker in markers.sorted(by: { $0.x < $1.x }) {
            guard marker.x.isFinite, x.kind == .linear || marker.x > 0 else { continue }
            let px = xScale(marker.x)
            guard px >= plotLeft - 0.5, px <= plotRight + 0.5 else { continue }
            let labelWidth = Double(marker.label.count) * Self.characterWidth + 4
            let start = px + labelWidth > plotRight ? px - labelWidth : px
            var row = rowEnds.firstIndex { $0 <= start }
            if row == nil, rowEnds.count < Self.maxMarkerRows {
                rowEnds.append(-.infinity)
                row = rowEnds.count - 1
            }
            if let row { rowEnds[row] = start + labelWidth + 4 }
            rows.append((marker, px, row))
        }
        let band = rowEnds.isEmpty ? 0 : Double(rowEnds.count) * Self.markerRowHeight + 4
        let plotTop = Self.titleHeight + band
        let plotBottom = plotTop + plotHeight
        let yScale = Scale(y.kind, domain: yDomain, pixels: (plotBottom, plotTop))

        // Legend: wrapped rows below the x axis title.
        var legend: [(series: Int, x: Double, y: Double)] = []
        var cursor = plotLeft
        var legendY = plotBottom + 50
        for (index, item) in series.enumerated() {
            let itemWidth = 30 + Double(item.name.count) * Self.characterWidth + 14
            if cursor + itemWidth > width - Self.right, cursor > plotLeft {
                cursor = plotLeft
                legendY += Self.legendRowHeight
            }
            legend.append((index, cursor, legendY))
            cursor += itemWidth
        }
        let height = (series.isEmpty ? plotBottom + 40 : legendY + 10).rounded(.up)
        return Layout(
            xScale: xScale, yScale: yScale, plotTop: plotTop, plotBottom: plotBottom, plotLeft: plotLeft, plotRight: plotRight,
            markerRows: rows, legend: legend, height: height)
    }

    // MARK: - Drawing

    public func svg() -> String {
        let layout = layout()
        var svg = SVGWriter()
        let titleID = "\(id)-title"
        svg.group("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart"), ("id", id),
            ("viewBox", "0 0 \(Markup.number(width)) \(Markup.number(layout.height))"),
            ("role", "img"), ("aria-labelledby", titleID),
            ("font-family", "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"), ("font-size", "11"),
        ]) { svg in
            svg.element("title", [("id", titleID)], text: title)
            svg.element("text", [("class", "chart-title"), ("x", Markup.number(layout.plotLeft)), ("y", "16"),
                                 ("font-size", "13"), ("font-weight", "600"), ("fill", "#222")], text: title)
            svg.group("defs", []) { svg in
                svg.group("clipPath", [("id", "\(id)-clip")]) { svg in
                    svg.element("rect", [
                        ("x", Markup.number(layout.plotLeft)), ("y", Markup.number(layout.plotTop - 1)),
                        ("width", Markup.number(layout.plotRight - layout.plotLeft)),
                        ("height", Markup.number(layout.plotBottom - layout.plotTop + 2)),
                    ])
                }
            }
            drawAxes(&svg, layout)
            drawMarkers(&svg, layout)
            drawSeries(&svg, layout)
            drawLegend(&svg, layout)
        }
        return svg.markup
    }

    func drawAxes(_ svg: inout SVGWriter, _ layout: Layout) {
        let n = Markup.number
        svg.group("g", [("class", "axes")]) { svg in
            // y: grid lines and labels
            let yTicks = layout.yScale.ticks(count: y.tickCount)
            let yLabels = y.kind == .log
                ? yTicks.map(Ticks.logLabel) : Ticks.labels(yTicks, step: layout.yScale.tickStep(count: y.tickCount))
            for (tick, label) in zip(yTicks, yLabels) {
                let py = layout.yScale(tick)
                svg.element("line", [("x1", n(layout.plotLeft)), ("x2", n(layout.plotRight)), ("y1", n(py)), ("y2", n(py)),
                                     ("stroke", "#e3e3e3"), ("stroke-width", "1")])
                svg.element("text", [("x", n(layout.plotLeft - 6)), ("y", n(py + 3.5)), ("text-anchor", "end"), ("fill", "#444")], text: label)
            }
            // x: ticks and labels
            let xTicks = layout.xScale.ticks(count: x.tickCount)
            let xLabels = x.kind == .log
                ? xTicks.map(Ticks.logLabel) : Ticks.labels(xTicks, step: layout.xScale.tickStep(count: x.tickCount))
            if x.kind == .log { drawMinorLogGrid(&svg, layout) }
            for (tick, label) in zip(xTicks, xLabels) {
                let px = layout.xScale(tick)
                svg.element("line", [("x1", n(px)), ("x2", n(px)), ("y1", n(layout.plotBottom)), ("y2", n(layout.plotBottom + 4)),
                                     ("stroke", "#444")])
                svg.element("text", [("x", n(px)), ("y", n(layout.plotBottom + 16)), ("text-anchor", "middle"), ("fill", "#444")], text: label)
            }
            // frame: the x axis and the y axis
            svg.element("line", [("x1", n(layout.plotLeft)), ("x2", n(layout.plotRight)), ("y1", n(layout.plotBottom)),
                                 ("y2", n(layout.plotBottom)), ("stroke", "#444")])
            svg.element("line", [("x1", n(layout.plotLeft)), ("x2", n(layout.plotLeft)), ("y1", n(layout.plotTop)),
                                 ("y2", n(layout.plotBottom)), ("stroke", "#444")])
            // axis titles
            svg.element("text", [("class", "axis-title"), ("x", n((layout.plotLeft + layout.plotRight) / 2)), ("y", n(layout.plotBottom + 34)),
                                 ("text-anchor", "middle"), ("fill", "#222")], text: x.title)
            let middle = (layout.plotTop + layout.plotBottom) / 2
            svg.element("text", [("class", "axis-title"), ("x", "14"), ("y", n(middle)), ("text-anchor", "middle"), ("fill", "#222"),
                                 ("transform", "rotate(-90 14 \(n(middle)))")], text: y.title)
            if series.allSatisfy({ $0.points.isEmpty }) {
                svg.element("text", [("x", n((layout.plotLeft + layout.plotRight) / 2)), ("y", n(middle)), ("text-anchor", "middle"),
                                     ("fill", "#888")], text: "no samples")
            }
        }
    }

    /// Light lines at 2..9 times each power of ten on a log x axis.
    func drawMinorLogGrid(_ svg: inout SVGWriter, _ layout: Layout) {
        let (lower, upper) = layout.xScale.domain
        guard lower > 0 else { return }
        for exponent in Int(floor(log10(lower)))...Int(ceil(log10(upper))) {
            for multiple in 1...9 {
                let value = Double(multiple) * pow(10, Double(exponent))
                guard value >= lower, value <= upper else { continue }
                let px = Markup.number(layout.xScale(value))
                svg.element("line", [("x1", px), ("x2", px), ("y1", Markup.number(layout.plotTop)), ("y2", Markup.number(layout.plotBottom)),
                                     ("stroke", multiple == 1 ? "#e3e3e3" : "#f2f2f2"), ("stroke-width", "1")])
            }
        }
    }

    func drawMarkers(_ svg: inout SVGWriter, _ layout: Layout) {
        let n = Markup.number
        svg.group("g", [("class", "markers")]) { svg in
            for (marker, px, row) in layout.markerRows {
                let color = marker.kind == .event ? Palette.event : Palette.workload
                let kind = marker.kind == .event ? "marker marker-event" : "marker marker-workload"
                svg.group("g", [("class", kind)]) { svg in
                    svg.element("title", [], text: marker.detail)
                    let top = row.map { Self.titleHeight + Double($0) * Self.markerRowHeight + 2 } ?? layout.plotTop
                    svg.element("line", [("x1", n(px)), ("x2", n(px)), ("y1", n(top)), ("y2", n(layout.plotBottom)), ("stroke", color),
                                         ("stroke-width", marker.kind == .event ? "1.5" : "1"),
                                         ("stroke-dasharray", marker.kind == .event ? "5 3" : "2 3")])
                    if let row {
                        let labelWidth = Double(marker.label.count) * Self.characterWidth + 4
                        let flip = px + labelWidth > layout.plotRight
                        svg.element("text", [("x", n(flip ? px - 3 : px + 3)), ("y", n(Self.titleHeight + Double(row + 1) * Self.markerRowHeight - 1)),
                                             ("text-anchor", flip ? "end" : "start"), ("font-size", "10"), ("fill", color)], text: marker.label)
                    }
                }
            }
        }
    }

    func drawSeries(_ svg: inout SVGWriter, _ layout: Layout) {
        let n = Markup.number
        let buckets = Int(layout.plotRight - layout.plotLeft)
        svg.group("g", [("class", "series"), ("clip-path", "url(#\(id)-clip)")]) { svg in
            for item in series {
                let points = downsample(item.points.filter { visible($0) }, buckets: buckets)
                guard !points.isEmpty else { continue }
                if item.style == .dots {
                    svg.group("g", [("class", "series-dots")]) { svg in
                        for point in points {
                            svg.group("circle", [("cx", n(layout.xScale(point.x))), ("cy", n(layout.yScale(point.y))), ("r", "2"),
                                                 ("fill", "none"), ("stroke", item.color), ("stroke-width", "1"), ("opacity", "0.8")]) { svg in
                                svg.element("title", [], text: "\(item.name): \(value(point.y, y)) at \(value(point.x, x))")
                            }
                        }
                    }
                    continue
                }
                var path = ""
                for point in points {
                    let px = layout.xScale(point.x)
                    let py = layout.yScale(point.y)
                    if path.isEmpty {
                        path = "M\(n(px)) \(n(py))"
                    } else {
                        path += item.interpolation == .stepAfter ? " H\(n(px)) V\(n(py))" : " L\(n(px)) \(n(py))"
                    }
                }
                if item.interpolation == .stepAfter { path += " H\(n(layout.plotRight))" }
                var attributes = [("class", "line"), ("d", path), ("fill", "none"), ("stroke", item.color),
                                  ("stroke-width", item.style == .dashed ? "1.5" : "1.8"), ("stroke-linejoin", "round")]
                if item.style == .dashed { attributes.append(("stroke-dasharray", "6 4")) }
                svg.group("g", [("class", "series-line")]) { svg in
                    svg.element("title", [], text: item.name)
                    svg.element("path", attributes)
                    if item.style == .solid, points.count <= dotLimit {
                        for point in points {
                            svg.group("circle", [("cx", n(layout.xScale(point.x))), ("cy", n(layout.yScale(point.y))), ("r", "2.2"),
                                                 ("fill", item.color)]) { svg in
                                svg.element("title", [], text: "\(item.name): \(value(point.y, y)) at \(value(point.x, x))")
                            }
                        }
                    }
                }
            }
        }
    }

    func drawLegend(_ svg: inout SVGWriter, _ layout: Layout) {
        let n = Markup.number
        guard !series.isEmpty else { return }
        svg.group("g", [("class", "legend")]) { svg in
            for (index, px, py) in layout.legend {
                let item = series[index]
                if item.style == .dots {
                    svg.element("circle", [("cx", n(px + 11)), ("cy", n(py - 4)), ("r", "2.5"), ("fill", "none"), ("stroke", item.color)])
                    svg.element("text", [("x", n(px + 27)), ("y", n(py)), ("fill", "#222")], text: item.name)
                    continue
                }
                var attributes = [("x1", n(px)), ("x2", n(px + 22)), ("y1", n(py - 4)), ("y2", n(py - 4)), ("stroke", item.color),
                                  ("stroke-width", "2.5")]
                if item.style == .dashed { attributes.append(("stroke-dasharray", "5 3")) }
                svg.element("line", attributes)
                svg.element("text", [("x", n(px + 27)), ("y", n(py)), ("fill", "#222")], text: item.name)
            }
        }
    }

    func visible(_ point: ChartPoint) -> Bool {
        point.x.isFinite && point.y.isFinite && (x.kind == .linear || point.x > 0) && (y.kind == .linear || point.y > 0)
    }

    func value(_ value: Double, _ axis: ChartAxis) -> String {
        let text = Format.significant(value, 4)
        return axis.unit.isEmpty ? text : "\(text) \(axis.unit)"
    }
}
