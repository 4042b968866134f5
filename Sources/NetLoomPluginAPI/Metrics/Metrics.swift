import Histogram
import Synchronization

/// Where a plugin records what it measures. Thread-safe: record from any thread.
///
/// - counters: totals (`bytes`, `requests`);
/// - histograms: distributions of latencies or sizes (HdrHistogram, 3 significant
///   digits), reported with mean and percentiles and written as a CDF;
/// - series: values over time (`throughput` each second), stamped relative to the
///   start of the run;
/// - results: final figures, some of them headline figures that go in summary.json,
///   the progress line and the suite tables;
/// - tables: row data in the field's own format (an nccl-tests table).
public final class Metrics: Sendable {
    private let state = Mutex(MetricsSnapshot())
    private let clock: @Sendable () -> Duration

    /// `elapsed` gives the time since the run started (the runner's clock).
    public init(elapsed: @escaping @Sendable () -> Duration) {
        clock = elapsed
    }

    public func add(_ counter: String, _ amount: Int64 = 1) {
        state.withLock { $0.counters[counter, default: 0] += amount }
    }

    /// Records one value in the histogram `name`, in `unit` (e.g. "us"); values are
    /// kept as integers of that unit.
    public func record(_ name: String, _ value: Double, unit: String) {
        // Mutated in place: copying the record out and back would copy its counts on every call.
        state.withLock { $0.histograms[name, default: HistogramRecord(unit: unit)].record(max(0, value)) }
    }

    /// Adds a point to the time series `name` at the current run time.
    public func sample(_ name: String, _ value: Double, unit: String) {
        let time = clock()
        state.withLock { snapshot in
            snapshot.series[name, default: SeriesRecord(unit: unit)].points.append(
                SeriesPoint(seconds: seconds(time), value: value))
        }
    }

    /// A final figure; `headline` ones are the workload's summary.
    public func result(_ name: String, _ value: Double, unit: String, headline: Bool = false) {
        state.withLock { $0.results[name] = ResultRecord(value: value, unit: unit, headline: headline) }
    }

    /// A table of rows (all cells text), e.g. nccl-tests' per-size output.
    public func table(_ name: String, columns: [String], rows: [[String]]) {
        state.withLock { $0.tables[name] = TableRecord(columns: columns, rows: rows) }
    }

    /// The latest value of a figure for the live progress line.
    public func progress(_ name: String, _ value: Double, unit: String) {
        state.withLock { $0.progress = ResultRecord(value: value, unit: unit, headline: true, name: name) }
    }

    public func snapshot() -> MetricsSnapshot { state.withLock { $0 } }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Everything recorded so far.
public struct MetricsSnapshot: Sendable {
    public var counters: [String: Int64] = [:]
    public var histograms: [String: HistogramRecord] = [:]
    public var series: [String: SeriesRecord] = [:]
    public var results: [String: ResultRecord] = [:]
    public var tables: [String: TableRecord] = [:]
    public var progress: ResultRecord?
}

public struct ResultRecord: Sendable, Codable, Equatable {
    public var value: Double
    public var unit: String
    public var headline: Bool
    public var name: String?
}

public struct SeriesPoint: Sendable, Codable, Equatable {
    public var seconds: Double
    public var value: Double
}

public struct SeriesRecord: Sendable, Codable {
    public var unit: String
    public var points: [SeriesPoint] = []
}

public struct TableRecord: Sendable, Codable {
    public var columns: [String]
    public var rows: [[String]]
}

/// An HdrHistogram and its unit.
public struct HistogramRecord: Sendable {
    public var unit: String
    public private(set) var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    init(unit: String) {
        self.unit = unit
        histogram.autoResize = true
    }

    mutating func record(_ value: Double) {
        _ = histogram.record(UInt64(value.rounded()))
    }

    public var count: UInt64 { histogram.totalCount }
    public var mean: Double { histogram.mean }
    public func percentile(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) }
    public var min: Double { Double(histogram.min) }
    public var max: Double { Double(histogram.max) }

    /// The standard summary: count, mean, min, p50, p90, p99, p99.9, max.
    public var summary: HistogramSummary {
        HistogramSummary(
            unit: unit, count: count, mean: mean, min: min, p50: percentile(50), p90: percentile(90),
            p99: percentile(99), p999: percentile(99.9), max: max)
    }

    /// (value, fraction of samples at or below it) points of the CDF.
    public func cdf(points: Int = 200) -> [SeriesPoint] {
        guard count > 0 else { return [] }
        return (0...points).map { i in
            let p = 100 * Double(i) / Double(points)
            return SeriesPoint(seconds: percentile(p), value: p / 100)
        }
    }
}

public struct HistogramSummary: Sendable, Codable, Equatable {
    public var unit: String
    public var count: UInt64
    public var mean: Double
    public var min: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
}
