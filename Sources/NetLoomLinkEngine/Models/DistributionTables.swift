import Glibc

/// netem's delay distribution tables, built exactly as iproute2's `normal`, `pareto`
/// and `paretonormal` generators build the files tc loads (4096 Int16 values scaled by
/// NETEM_DIST_SCALE = 8192; a value t means t / 8192 standard deviations). A unit test
/// compares them with the files in /usr/lib/x86_64-linux-gnu/tc/ when present.
enum DistributionTables {
    static let scale: Int64 = 8192
    private static let tableSize = 16384

    static func table(for distribution: DelayDistribution) -> [Int16]? {
        switch distribution {
        case .uniform: return nil
        case .normal: return normal
        case .pareto: return pareto
        case .paretonormal: return paretonormal
        }
    }

    /// The inverse normal CDF sampled as iproute2's normal.c does.
    private static let fineNormal: [Double] = {
        var table = [Double](repeating: 0, count: tableSize + 1)
        var x = -10.0
        while x < 10.05 {
            let cdf = 0.5 + 0.5 * erf(x / 2.0.squareRoot())
            let i = Int((Double(tableSize) * cdf).rounded(.toNearestOrEven))
            table[i] = x
            x += 0.00005
        }
        return table
    }()

    private static func clamp(_ v: Int) -> Int16 { Int16(min(max(v, Int(Int16.min)), Int(Int16.max))) }

    static let normal: [Int16] = stride(from: 0, to: tableSize, by: 4).map {
        clamp(Int((fineNormal[$0] * Double(scale)).rounded(.toNearestOrEven)))
    }

    private static func paretoValue(_ index: Int) -> Int {
        let i = 65536 - 4 * index
        var d = 1.0 / pow(Double(i) / 65536, 1.0 / 3.0)
        d -= 1.5
        d *= (4.0 / 3.0) * Double(scale)
        if d > 32767 { d = 32767 }
        return Int(d.rounded(.toNearestOrEven))
    }

    static let pareto: [Int16] = stride(from: 0, to: tableSize, by: 4).map { clamp(paretoValue($0)) }

    static let paretonormal: [Int16] = stride(from: 0, to: tableSize, by: 4).map { i in
        let normalValue = Int((fineNormal[i] * Double(scale)).rounded(.toNearestOrEven))
        let paretoV = paretoValue(i)
        return clamp((normalValue + 3 * paretoV) / 4)
    }
}
