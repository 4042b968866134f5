import Foundation

/// What `netloom calibrate` found: per link, configured against measured.
public struct CalibrationReport: Codable, Sendable {
    public var lab: String
    public var file: String
    public var date: Date
    public var kernel: String
    public var netem: Bool
    public var cores: Int
    /// TCP goodput over an unshaped veth, when measured (bits per second).
    public var baselineBitsPerSecond: Double?
    public var tolerance: Calibration.Tolerance
    public var links: [LinkCalibration]

    /// Measurements outside tolerance or that failed.
    public var problems: Int {
        links.flatMap(\.measurements).filter(\.isProblem).count
    }
}

/// The measurements of one link.
public struct LinkCalibration: Codable, Sendable {
    public var link: String
    /// The backend and why (`userspace: this kernel has no sch_netem`).
    public var backend: String
    public var a: String
    public var b: String
    /// Where it was probed (`h1 10.0.0.1 <-> far 10.0.1.2`).
    public var probe: String
    public var measurements: [CalibrationMeasurement]

    /// Whether every measurement is within tolerance (or has nothing to compare to).
    public var withinTolerance: Bool {
        !measurements.contains(where: \.isProblem)
    }
}

/// One quantity of one link: RTT, goodput or loss in one direction.
public struct CalibrationMeasurement: Codable, Sendable {
    public enum Verdict: String, Codable, Sendable {
        case ok
        /// Measured, and outside tolerance.
        case outside
        /// Measured, with nothing to compare to (no rate configured, a rate trace, a rate beyond this machine).
        case unchecked
        case failed
    }

    /// `RTT`, `goodput a->b`, `loss b->a`.
    public var quantity: String
    /// `ms`, `Mbit/s` or `%`.
    public var unit: String
    /// As configured (RTT: the delays of both directions; goodput: the rate; loss: the loss).
    public var configured: Double?
    /// What should be measured (RTT with the probes' serialization; goodput: the payload share of the rate).
    public var expected: Double?
    public var measured: Double?
    /// How far from `expected` a measurement may be, as printed (`±0.85 ms`).
    public var tolerance: String
    public var verdict: Verdict
    public var note: String?

    /// (measured - expected) / expected; nil when nothing was configured (an unshaped link's
    /// RTT of 0.15 ms is not "infinitely" wrong).
    public var relativeError: Double? {
        guard let measured, let expected, let configured, configured != 0, expected != 0 else { return nil }
        return (measured - expected) / expected
    }

    var isProblem: Bool { verdict == .outside || verdict == .failed }

    static func failed(_ quantity: String, _ reason: String) -> CalibrationMeasurement {
        CalibrationMeasurement(
            quantity: quantity, unit: "", configured: nil, expected: nil, measured: nil, tolerance: "", verdict: .failed, note: reason)
    }
}
