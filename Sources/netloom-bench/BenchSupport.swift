/// Small helpers shared by the benchmarks.

/// The median (the mean of the two middle values for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Pings sent and not counted before a measurement: a second at the measured pace. They
/// resolve the neighbour and let the lab settle (IPv6 duplicate address detection and
/// router solicitations, the engine's send-latency estimate filling up): over a 1 ms link
/// the first 100 pings after `up` averaged 25 us more than the next 100, in three labs of
/// three. As iperf3's `-O 1` leaves out TCP's first second.
func pingSettle(interval: String) -> [String] {
    ["-c", "\(max(Int((1 / (Double(interval) ?? 1)).rounded()), 1))", "-i", interval]
}

/// "rtt min/avg/max/mdev = 20.1/20.3/20.9/0.2 ms" -> 20.3
func pingAverage(_ output: String) -> Double? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("min/avg/max") }),
          let values = line.split(separator: "=").last?.split(separator: "/"), values.count >= 2
    else { return nil }
    return Double(values[1].trimmingCharacters(in: .whitespaces))
}

/// Rows as aligned columns; the first row is the header.
func renderTable(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    let widths = header.indices.map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max()! }
    return rows.map { row in
        row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }.joined(separator: "\n")
}
