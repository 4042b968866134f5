// Reports / Suite: each figure against each swept field: the medians over the repetitions as a line per
// combination of the other fields' values, every single run as a dot around it.

import Foundation
import NetLoomSuites

/// The charts of a suite table.
public enum SuiteCharts {
    /// More lines than this on one chart read as noise; the rest are left out (and said so).
    public static let seriesLimit = 10

    /// One chart of a figure against a numeric axis.
    public struct Chart: Sendable {
        public var metric: Int
        public var axis: Int
        public var chart: LineChart
        /// Combinations of the other axes left out (beyond `seriesLimit`).
        public var omitted: Int
    }

    /// For every figure and every axis whose values are quantities (times, rates, sizes,
    /// percentages, numbers). An axis of names (`ring`, `tree`) is not charted: its values are
    /// in the medians table. `palette` keeps each combination's colour across charts.
    public static func charts(_ table: SuiteTable, palette: inout Palette, firstID: Int = 1) -> [Chart] {
        var charts: [Chart] = []
        var id = firstID
        for metric in table.metrics.indices {
            for axis in table.axes.indices where table.axes[axis].unit != nil {
                charts.append(chart(table, metric: metric, axis: axis, palette: &palette, id: "suite-chart-\(id)"))
                id += 1
            }
        }
        return charts
    }

    static func chart(_ table: SuiteTable, metric: Int, axis: Int, palette: inout Palette, id: String) -> Chart {
        // Axes zipped with this one change with it: they are not other axes.
        let group = table.axes[axis].group
        let others = table.axes.indices.filter { $0 != axis && (group == nil || table.axes[$0].group != group) }
        // Points grouped by the values of the other axes, in the order they first appear.
        var groups: [(key: String, points: [SuiteTable.PointRow])] = []
        for point in table.points {
            let key = others.map { "\(table.axes[$0].name)=\(point.values[$0])" }.joined(separator: " ")
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].points.append(point)
            } else {
                groups.append((key, [point]))
            }
        }
        let omitted = max(0, groups.count - seriesLimit)
        var series: [ChartSeries] = []
        for group in groups.prefix(seriesLimit) {
            let name = group.key.isEmpty ? "median" : group.key
            let color = palette.color(for: name)
            let medians = group.points.compactMap { point -> ChartPoint? in
                guard let x = point.numbers[axis], let statistics = point.statistics[metric] else { return nil }
                return ChartPoint(x, statistics.median)
            }.sorted { $0.x < $1.x }
            series.append(ChartSeries(name, points: medians, color: color))
            let ids = Set(group.points.map(\.point))
            let singles = table.runs.filter { ids.contains($0.point) }.compactMap { run -> ChartPoint? in
                guard let x = run.numbers[axis], let y = run.metrics[metric] else { return nil }
                return ChartPoint(x, y)
            }
            if singles.count > medians.count {
                series.append(ChartSeries(group.key.isEmpty ? "each run" : "\(name), each run", points: singles, color: color, style: .dots))
            }
        }
        let record = table.axes[axis]
        let xs = table.points.compactMap { $0.numbers[axis] }
        let (low, high) = (xs.min() ?? 0, xs.max() ?? 1)
        let logarithmic = low > 0 && high / low >= 100
        // Room around the outermost points; a linear axis of values that are never negative starts at 0.
        let domain: (Double, Double) = logarithmic ? (low / 1.15, high * 1.15)
            : (low >= 0 ? 0 : low - (high - low) * 0.04, high + max(high - min(low, 0), 1e-9) * 0.04)
        let column = table.metrics[metric]
        let chart = LineChart(
            title: "\(column.key) against \(record.name)",
            x: ChartAxis(record.name, unit: record.unit ?? "", kind: logarithmic ? .log : .linear, domain: domain),
            y: ChartAxis(column.key, unit: column.unit), series: series, id: id)
        return Chart(metric: metric, axis: axis, chart: chart, omitted: omitted)
    }
}
