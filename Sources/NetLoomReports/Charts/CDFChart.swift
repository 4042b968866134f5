// Reports / Charts: a CDF (latency, flow completion time) as a line chart: the value on x, linear or
// logarithmic, and the share of samples at or below it on y, 0 to 100 %.

import Foundation

public struct CDFChart: Sendable {
    public var title: String
    /// What the values are ("latency") and their unit ("us").
    public var quantity: String
    public var unit: String
    /// Points of each series: x the value, y the fraction (0 to 1).
    public var series: [ChartSeries]
    public var id: String
    /// nil: log when the values span decades (`wantsLogScale`).
    public var logX: Bool?

    public init(title: String, quantity: String, unit: String, series: [ChartSeries], id: String, logX: Bool? = nil) {
        self.title = title
        self.quantity = quantity
        self.unit = unit
        self.series = series
        self.id = id
        self.logX = logX
    }

    /// Values above 0 whose largest is at least 100 times the smallest (two decades) read
    /// better on a log scale.
    public static func wantsLogScale(_ values: [Double]) -> Bool {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let low = positive.min(), let high = positive.max() else { return false }
        return high / low >= 100
    }

    public var lineChart: LineChart {
        let log = logX ?? Self.wantsLogScale(series.flatMap { $0.points.map(\.x) })
        let percent = series.map { item in
            var copy = item
            copy.points = item.points.map { ChartPoint($0.x, $0.y * 100) }
            return copy
        }
        var xAxis = ChartAxis(log ? "\(quantity), log scale" : quantity, unit: unit, kind: log ? .log : .linear, tickCount: 8)
        if !log {
            // From 0 (or the smallest value, if negative) to a nice number above the largest.
            let values = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
            let high = values.max() ?? 1
            xAxis.domain = (min(0, values.min() ?? 0), high > 0 ? Ticks.niceUpper(high, count: 8) : 1)
        }
        return LineChart(
            title: title, x: xAxis, y: ChartAxis("samples at or below", unit: "%", domain: (0, 100)), series: percent, id: id)
    }

    public func svg() -> String { lineChart.svg() }
}
