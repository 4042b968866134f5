// Reports / Charts: fewer points for long runs, keeping every peak and trough.

/// Thins a series to at most about `4 * buckets` points: per bucket of x, its first,
/// lowest, highest and last points, in x order. Series already short enough are
/// returned as they are.
public func downsample(_ points: [ChartPoint], buckets: Int) -> [ChartPoint] {
    guard buckets > 0, points.count > 4 * buckets, let first = points.first, let last = points.last, last.x > first.x else {
        return points
    }
    let width = (last.x - first.x) / Double(buckets)
    var result: [ChartPoint] = []
    var bucket: [ChartPoint] = []
    var current = 0
    func flush() {
        guard !bucket.isEmpty else { return }
        let lowest = bucket.min { $0.y < $1.y }!
        let highest = bucket.max { $0.y < $1.y }!
        var kept = [bucket.first!, lowest, highest, bucket.last!]
        kept.sort { $0.x < $1.x }
        for point in kept where result.last != point { result.append(point) }
        bucket.removeAll(keepingCapacity: true)
    }
    for point in points {
        let index = min(buckets - 1, Int((point.x - first.x) / width))
        if index != current {
            flush()
            current = index
        }
        bucket.append(point)
    }
    flush()
    return result
}
