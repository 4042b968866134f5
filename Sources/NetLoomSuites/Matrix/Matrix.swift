// Suites / Matrix: axes (a lab field or plugin parameter and the values it takes), groups of axes that
// change together (zipped), and the points of the suite: every combination of the groups (crossed),
// in order, the last group changing fastest.

import NetLoomModel

/// One value of an axis, with where the suite file gives it (errors about the value point there).
public struct AxisValue: Sendable, Hashable {
    public var value: SweepValue
    public var location: LabLocation

    public init(_ value: SweepValue, at location: LabLocation) {
        self.value = value
        self.location = location
    }

    /// The value's text in tables, folder manifests and progress lines.
    public var text: String { value.description }
}

/// A swept field: its path in the lab file, where it lands, and its values.
public struct Axis: Sendable, Hashable {
    /// The column name (`delay`, or the path when names would clash).
    public var name: String
    public var path: SweepPath
    /// Where `path` is written in the suite file.
    public var pathLocation: LabLocation
    /// Where the path lands in the base lab (resolved when the suite is loaded).
    public var target: LabTarget
    public var values: [AxisValue]

    /// The values' common unit when every value is a quantity of one kind (times, rates, sizes,
    /// percentages, numbers), for numeric table columns and chart axes.
    public var quantityKind: Quantity.Kind? {
        let kinds = values.map { $0.value.scalarText.flatMap(Quantity.init(parsing:))?.kind }
        guard let first = kinds.first, let kind = first, kinds.allSatisfy({ $0 == kind }) else { return nil }
        return kind
    }

    /// The display unit of the values (see `Quantity.displayUnit`), when they are quantities.
    public var displayUnit: String? {
        guard let kind = quantityKind else { return nil }
        return Quantity.displayUnit(kind: kind, values: values.compactMap { $0.value.scalarText.flatMap(Quantity.init(parsing:))?.base })
    }
}

/// Axes that change together: one axis alone, or several zipped (all of the same length).
public struct AxisGroup: Sendable, Hashable {
    public var axes: [Axis]

    public var count: Int { axes.first?.values.count ?? 0 }
}

/// One combination of values: the i-th point of the suite.
public struct SuitePoint: Sendable, Hashable {
    /// 0-based, in suite order.
    public var index: Int
    /// `p01`, `p02`, ... (zero-padded to the number of points): the name of its runs' folders.
    public var id: String
    /// One value per axis, in axis order.
    public var assignments: [(axis: Axis, value: AxisValue)] {
        zip(axes, values).map { ($0, $1) }
    }

    public var axes: [Axis]
    public var values: [AxisValue]

    /// `delay=5ms rate=10gbit`.
    public var label: String {
        zip(axes, values).map { "\($0.name)=\($1.text)" }.joined(separator: " ")
    }

    /// Stable across edits of other points: the axis paths and values, for seeds.
    public var key: String {
        zip(axes, values).map { "\($0.target.canonical)=\($1.text)" }.joined(separator: ";")
    }
}

/// The crossed product of the groups.
public enum Matrix {
    /// Every point, the last group changing fastest; one point with no values when there are no axes.
    public static func points(_ groups: [AxisGroup]) -> [SuitePoint] {
        let axes = groups.flatMap(\.axes)
        let total = groups.reduce(1) { $0 * $1.count }
        let width = max(2, String(total).count)
        var points: [SuitePoint] = []
        points.reserveCapacity(total)
        for index in 0..<total {
            var rest = index
            var choice = [Int](repeating: 0, count: groups.count)
            for g in groups.indices.reversed() {
                choice[g] = rest % groups[g].count
                rest /= groups[g].count
            }
            var values: [AxisValue] = []
            for (g, group) in groups.enumerated() {
                for axis in group.axes { values.append(axis.values[choice[g]]) }
            }
            let number = String(index + 1)
            let id = "p" + String(repeating: "0", count: max(0, width - number.count)) + number
            points.append(SuitePoint(index: index, id: id, axes: axes, values: values))
        }
        return points
    }
}
