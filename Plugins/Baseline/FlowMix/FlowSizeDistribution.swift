import NetLoomModel

/// The sizes flows are drawn from: an empirical CDF (sizes interpolated linearly
/// between its points, as the HPCC and pFabric traffic generators do) or a list of
/// sizes with weights.
struct FlowSizeDistribution: Sendable, Equatable {
    enum Shape: Sendable, Equatable {
        /// (bytes, cumulative probability) points, the first at probability 0, the last at 1.
        case cdf([(bytes: Double, probability: Double)])
        /// (bytes, probability) pairs that add up to 1.
        case discrete([(bytes: Double, probability: Double)])

        static func == (lhs: Shape, rhs: Shape) -> Bool {
            switch (lhs, rhs) {
            case (.cdf(let a), .cdf(let b)), (.discrete(let a), .discrete(let b)):
                a.count == b.count && zip(a, b).allSatisfy { $0.bytes == $1.bytes && $0.probability == $1.probability }
            default: false
            }
        }
    }

    let name: String
    let shape: Shape

    /// Web search (DCTCP, Alizadeh et al. 2010), as the HPCC artifact's
    /// WebSearch_distribution.txt gives it: up to 30 MB, mean 1.71 MB.
    static let webSearch = FlowSizeDistribution(name: "web-search", shape: .cdf([
        (0, 0), (10_000, 0.15), (20_000, 0.20), (30_000, 0.30), (50_000, 0.40), (80_000, 0.53),
        (200_000, 0.60), (1_000_000, 0.70), (2_000_000, 0.80), (5_000_000, 0.90), (10_000_000, 0.97),
        (30_000_000, 1.00),
    ]))

    /// Data mining (VL2, Greenberg et al. 2009), as the Opera artifact's datamining.csv
    /// gives it: half the flows under 1.1 kB, a tail to 1 GB, mean 5.04 MB.
    static let dataMining = FlowSizeDistribution(name: "data-mining", shape: .cdf([
        (100, 0), (180, 0.085), (250, 0.14), (560, 0.33), (900, 0.47), (1_100, 0.55), (1_870, 0.65),
        (3_160, 0.70), (10_000, 0.80), (100_001, 0.874), (400_000, 0.90), (1_850_000, 0.95),
        (10_000_000, 0.97), (30_000_000, 0.98), (100_000_000, 0.99), (250_000_000, 0.995),
        (1_000_000_000, 1.00),
    ]))

    static let builtIn = [webSearch, dataMining]

    /// A list of `size:weight` entries (`10KB:6`, `1MB:3`, `20MB:1`); weights are
    /// relative. Throws a message for the lab-file error.
    static func list(_ entries: [String]) throws(UnitSyntaxError) -> FlowSizeDistribution {
        var points: [(bytes: Double, probability: Double)] = []
        for entry in entries {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let weight = Double(parts[1].trimmingCharacters(in: .whitespaces)), weight > 0, weight.isFinite else {
                throw UnitSyntaxError("\"\(entry)\" is not size:weight", allowed: "e.g. 10KB:6 (a size and a weight above 0)")
            }
            let size = try ByteCount(parsing: String(parts[0]))
            guard size.bytes > 0 else { throw UnitSyntaxError("\"\(entry)\" has a size of 0", allowed: "sizes of 1B or more") }
            points.append((Double(size.bytes), weight))
        }
        let total = points.reduce(0) { $0 + $1.probability }
        return FlowSizeDistribution(
            name: "list", shape: .discrete(points.map { ($0.bytes, $0.probability / total) }))
    }

    /// A size in bytes for a uniform `u` in [0, 1).
    func size(at u: Double) -> UInt64 {
        switch shape {
        case .cdf(let points):
            for i in 1..<points.count where u < points[i].probability {
                let (x0, p0) = points[i - 1]
                let (x1, p1) = points[i]
                let x = p1 > p0 ? x0 + (x1 - x0) * (u - p0) / (p1 - p0) : x1
                return UInt64(max(1, x.rounded()))
            }
            return UInt64(points[points.count - 1].bytes)
        case .discrete(let points):
            var cumulative = 0.0
            for point in points {
                cumulative += point.probability
                if u < cumulative { return UInt64(point.bytes) }
            }
            return UInt64(points[points.count - 1].bytes)
        }
    }

    /// The mean flow size in bytes (of the interpolated CDF, or of the list).
    var mean: Double {
        switch shape {
        case .cdf(let points):
            return (1..<points.count).reduce(0) { sum, i in
                sum + (points[i].probability - points[i - 1].probability) * (points[i].bytes + points[i - 1].bytes) / 2
            }
        case .discrete(let points):
            return points.reduce(0) { $0 + $1.bytes * $1.probability }
        }
    }
}

import Foundation
