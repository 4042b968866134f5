// Suites / Suite: a suite file as a value: the base lab, the axes and their points, repetitions, seeds,
// and the runs in the order they happen. Made only by `Suite.load` or `Suite.parse`, which report every
// problem with the suite file's line and column.

import Foundation
import NetLoomModel

/// How each run's lab seed is chosen.
public struct SeedPolicy: Sendable, Hashable {
    public enum Scope: String, Sendable, Hashable, Codable {
        /// Every run (point and repetition) its own seed.
        case run
        /// The repetitions of a point share its seed.
        case point
    }

    /// The suite's seed, which every run's seed is derived from.
    public var base: UInt64
    public var scope: Scope
    /// Other fields that get the run's seed too (a plugin's `seed` parameter).
    public var also: [LabTarget]

    /// The lab seed of a run: SplitMix64 of the base, the point's key (its axis paths and
    /// values, so a point keeps its seed when other points are added) and the repetition. 63 bits,
    /// so plugin `seed` parameters (0 to Int.max) take it as well as the lab's.
    public func seed(point: SuitePoint, repetition: Int) -> UInt64 {
        var state = base ^ Self.fnv1a(point.key)
        if scope == .run { state ^= Self.splitmix(UInt64(repetition)) }
        return Self.splitmix(state) & 0x7FFF_FFFF_FFFF_FFFF
    }

    static func splitmix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}

/// The order runs happen in.
public enum RunOrder: String, Sendable, Hashable, Codable {
    /// Each point's repetitions one after another (fewest lab changes).
    case points
    /// Every point once, then every point again (slow drift of the machine spreads over all points).
    case rounds
}

/// One run: a point and a repetition.
public struct SuiteRun: Sendable, Hashable {
    public var point: SuitePoint
    /// 1-based.
    public var repetition: Int
    /// The lab seed of this run (nil when the suite sets none: the lab's own, if any).
    public var seed: UInt64?

    /// `p03-r2`: the run's results folder under `runs/`.
    public var folder: String { "\(point.id)-r\(repetition)" }
}

/// A suite file, loaded and checked.
public struct Suite: Sendable {
    public var name: String
    /// The suite file and its text.
    public var file: String
    public var text: String
    /// The base lab: its file (the suite file for a lab written inside it) and its text. For an
    /// inline lab the text keeps the suite file's line numbers (other lines blank).
    public var labFile: String
    public var labText: String
    /// Whether the lab is written inside the suite file.
    public var labIsInline: Bool
    /// Where `lab:` is in the suite file (errors about a point as a whole point here).
    public var labLocation: LabLocation
    /// The base lab, resolved.
    public var base: ResolvedLab
    public var groups: [AxisGroup]
    public var repetitions: Int
    public var seed: SeedPolicy?
    public var order: RunOrder
    /// Extra table columns besides each workload's headline figures (`bulk.bytes`, `rr.latency.p99`).
    public var metrics: [String]
    public var description: String?

    public var axes: [Axis] { groups.flatMap(\.axes) }
    public var points: [SuitePoint] { Matrix.points(groups) }

    /// Every run in the order they happen.
    public var runs: [SuiteRun] {
        let points = self.points
        let repetitions = 1...self.repetitions
        let pairs: [(SuitePoint, Int)] = order == .points
            ? points.flatMap { point in repetitions.map { (point, $0) } }
            : repetitions.flatMap { repetition in points.map { ($0, repetition) } }
        return pairs.map { point, repetition in
            SuiteRun(point: point, repetition: repetition, seed: seed?.seed(point: point, repetition: repetition))
        }
    }

    /// Reads and checks a suite file (and the lab file it names, relative to its folder).
    public static func load(path: String) throws(LabErrors) -> Suite {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: path, line: 1, column: 1), path: "",
                                      "cannot read the suite file: \(error.localizedDescription)")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Checks suite text, and the lab of every point; `file` names it in errors and is the folder a
    /// relative `lab:` path is read from.
    public static func parse(yaml: String, file: String = "<suite>") throws(LabErrors) -> Suite {
        let suite = try SuiteParser(file: file, text: yaml).parse()
        try suite.checkPoints()
        return suite
    }
}
