// Reports / Charts: what a chart shows: points, series, axes and markers, independent of how it is drawn.

/// A data point.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named line.
public struct ChartSeries: Sendable {
    public enum Style: Sendable, Equatable {
        case solid
        /// For reference lines (a configured rate).
        case dashed
        /// Dots only, no line (single measurements around a line of medians).
        case dots
    }

    public enum Interpolation: Sendable, Equatable {
        /// Straight lines between points.
        case linear
        /// Each value holds until the next point (a setting that changes at times).
        case stepAfter
    }

    public var name: String
    public var points: [ChartPoint]
    public var color: String
    public var style: Style
    public var interpolation: Interpolation

    public init(_ name: String, points: [ChartPoint], color: String, style: Style = .solid, interpolation: Interpolation = .linear) {
        self.name = name
        self.points = points
        self.color = color
        self.style = style
        self.interpolation = interpolation
    }
}

/// A vertical line at an x value, labelled: a timeline event, a workload's start or end.
public struct ChartMarker: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case event
        case workload
    }

    public var x: Double
    /// Short text drawn by the line ("T1 wan", "w0 start").
    public var label: String
    /// The full text, shown on hover (an SVG <title>).
    public var detail: String
    public var kind: Kind

    public init(x: Double, label: String, detail: String, kind: Kind) {
        self.x = x
        self.label = label
        self.detail = detail
        self.kind = kind
    }
}

/// One axis: its name, unit, scale kind, and the domain (nil: fitted to the data).
public struct ChartAxis: Sendable {
    public var label: String
    public var unit: String
    public var kind: Scale.Kind
    public var domain: (lower: Double, upper: Double)?
    /// Labelled ticks to aim for (linear axes).
    public var tickCount: Int

    public init(_ label: String, unit: String, kind: Scale.Kind = .linear, domain: (Double, Double)? = nil, tickCount: Int = 5) {
        self.label = label
        self.unit = unit
        self.kind = kind
        self.domain = domain.map { (lower: $0.0, upper: $0.1) }
        self.tickCount = tickCount
    }

    /// "throughput (Mbit/s)", or the label alone without a unit.
    public var title: String { unit.isEmpty ? label : "\(label) (\(unit))" }
}
