// Reports / Render: the page's network and TCP sections: per link direction the rate carried (Mbit/s and
// % of the configured rate) and drops over time; per TCP connection the RTT and congestion window.

import Foundation

extension HTMLReport {
    /// Links charted at most; the rest are in the totals table.
    static let chartedLinkLimit = 24
    /// Connections charted at most (those that acknowledged the most bytes).
    static let chartedConnectionLimit = 10

    mutating func networkSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "network")]) { html in
            html.element("h2", text: "Network")
            let usage = report.links
            if usage.isEmpty {
                html.element("p", [("class", "muted")], text: "links.csv has no samples.")
                return
            }
            let last = usage.compactMap(\.last?.seconds).max() ?? 0
            html.element("p", [("class", "muted")], text:
                "Per link direction, from links.csv (sampled about every second; counters cumulative). Rates are layer-2 bytes "
                + "over each sampling interval; totals are the last sample, at \(Format.seconds(last)).")
            html.table(
                ["link", "direction", "backend", "configured rate", "bytes", "packets", "drops", "overlimits", "mean", "peak"],
                usage.map { link in
                    [link.link, link.direction, link.backend, Self.rates(link.schedule), Format.bytes(link.last?.bytes ?? 0),
                     "\(link.last?.packets ?? 0)", "\(link.last?.drops ?? 0)", "\(link.last?.overlimits ?? 0)",
                     link.meanMbps.map(Format.mbps) ?? "-", link.peakMbps.map(Format.mbps) ?? "-"]
                }, numeric: Set(4...9))

            var names: [String] = []
            for link in usage where !names.contains(link.link) { names.append(link.link) }
            let busy = names.filter { name in usage.contains { $0.link == name && $0.throughput.contains { $0.y > 0 } } }
            let idle = names.filter { !busy.contains($0) }
            for name in busy.prefix(Self.chartedLinkLimit) {
                linkCharts(&html, name: name, directions: usage.filter { $0.link == name })
            }
            if busy.count > Self.chartedLinkLimit {
                html.element("p", [("class", "note")], text: "\(busy.count - Self.chartedLinkLimit) more links carried traffic; "
                             + "charts are drawn for the first \(Self.chartedLinkLimit) (see the table and links.csv): "
                             + busy.dropFirst(Self.chartedLinkLimit).joined(separator: ", "))
            }
            if !idle.isEmpty {
                html.element("p", [("class", "muted")], text: "No traffic sampled on: \(idle.joined(separator: ", ")).")
            }
        }
    }

    mutating func linkCharts(_ html: inout HTMLWriter, name: String, directions: [LinkDirectionUsage]) {
        html.element("h3", text: "Link \(name)")
        var rateSeries: [ChartSeries] = []
        var configured: [ChartSeries] = []
        var percentSeries: [ChartSeries] = []
        var dropSeries: [ChartSeries] = []
        for direction in directions {
            let color = palette.color(for: "\(name) \(direction.direction)")
            rateSeries.append(ChartSeries(direction.direction, points: direction.throughput, color: color))
            if let schedule = direction.schedule, schedule.hasRate {
                configured.append(ChartSeries(
                    "\(direction.direction) configured", points: Self.steps(schedule), color: color, style: .dashed,
                    interpolation: .stepAfter))
                percentSeries.append(ChartSeries(direction.direction, points: direction.utilization, color: color))
            }
            dropSeries.append(ChartSeries(direction.direction, points: direction.dropsPerSecond, color: color))
        }
        // Both directions configured alike: one dashed line, not two drawn over each other.
        if configured.count == 2, configured[0].points == configured[1].points {
            configured = [ChartSeries("configured (both directions)", points: configured[0].points, color: "#333333", style: .dashed,
                                      interpolation: .stepAfter)]
        }
        rateSeries += configured
        chart(&html, LineChart(title: "\(name): rate carried per direction", x: timeAxis, y: ChartAxis("rate", unit: "Mbit/s"),
                               series: rateSeries, markers: markers(), id: nextChartID()),
              caption: percentSeries.isEmpty ? nil : "Dashed: the configured rate (changed by the timeline).")
        if !percentSeries.isEmpty {
            let peak = percentSeries.flatMap(\.points).map(\.y).max() ?? 0
            chart(&html, LineChart(title: "\(name): utilization of the configured rate", x: timeAxis,
                                   y: ChartAxis("utilization", unit: "%", domain: (0, peak > 102 ? Ticks.niceUpper(peak, count: 5) : 100)),
                                   series: percentSeries, markers: markers(), id: nextChartID()))
        }
        if directions.contains(where: { $0.dropsPerSecond.contains { $0.y > 0 } }) {
            chart(&html, LineChart(title: "\(name): drops per direction", x: timeAxis, y: ChartAxis("drops", unit: "packets/s"),
                                   series: dropSeries, markers: markers(), id: nextChartID()))
        } else {
            html.element("p", [("class", "muted")], text: "No drops on \(name) while it was sampled.")
        }
    }

    mutating func tcpSection(_ html: inout HTMLWriter) {
        html.group("section", [("id", "tcp")]) { html in
            html.element("h2", text: "TCP")
            let senders = report.connections.filter(\.sent)
            if senders.isEmpty {
                html.element("p", [("class", "muted")], text: report.connections.isEmpty
                             ? "No TCP connection was sampled (tcp.csv is empty)." : "No sampled TCP connection sent data.")
                return
            }
            html.element("p", [("class", "muted")], text:
                "TCP_INFO of the connections that sent data, from tcp.csv (about every second): smoothed RTT and congestion window.")
            let charted = senders.sorted { $0.bytesAcked > $1.bytesAcked }.prefix(Self.chartedConnectionLimit)
            let ordered = senders.filter { connection in charted.contains { $0.name == connection.name } }
            var rtt: [ChartSeries] = []
            var cwnd: [ChartSeries] = []
            for connection in ordered {
                let color = palette.color(for: "tcp \(connection.name)")
                rtt.append(ChartSeries(connection.name, points: connection.samples.map { ChartPoint($0.seconds, $0.rttMicroseconds / 1000) },
                                       color: color))
                cwnd.append(ChartSeries(connection.name, points: connection.samples.map { ChartPoint($0.seconds, $0.cwnd) }, color: color))
            }
            let more = senders.count > ordered.count
                ? "The \(ordered.count) connections that acknowledged the most bytes of \(senders.count)." : nil
            chart(&html, LineChart(title: "TCP round-trip time", x: timeAxis, y: ChartAxis("RTT", unit: "ms"), series: rtt,
                                   markers: markers(), id: nextChartID()), caption: more)
            chart(&html, LineChart(title: "TCP congestion window", x: timeAxis, y: ChartAxis("cwnd", unit: "segments"), series: cwnd,
                                   markers: markers(), id: nextChartID()), caption: more)
            html.table(["connection", "samples", "last RTT", "max cwnd", "retransmits", "bytes acked"], senders.map { connection in
                let last = connection.samples.last
                return [connection.name, "\(connection.samples.count)",
                        last.map { Format.seconds($0.rttMicroseconds / 1e6) } ?? "-",
                        Format.significant(connection.samples.map(\.cwnd).max() ?? 0, 6),
                        Format.significant(connection.samples.map(\.retransmits).max() ?? 0, 6),
                        Format.bytes(connection.bytesAcked)]
            }, numeric: Set(1...5))
        }
    }

    /// A schedule's changes as chart points in Mbit/s (a nil rate is left out).
    static func steps(_ schedule: RateSchedule) -> [ChartPoint] {
        schedule.changes.compactMap { change in change.bitsPerSecond.map { ChartPoint(change.seconds, Double($0) / 1e6) } }
    }

    /// "200 Mbit/s, 100 Mbit/s from 2.01 s", or "-".
    static func rates(_ schedule: RateSchedule?) -> String {
        guard let schedule, schedule.hasRate else { return "-" }
        return schedule.changes.enumerated().map { index, change in
            let rate = change.bitsPerSecond.map { Format.rate(bitsPerSecond: $0) } ?? "unlimited"
            return index == 0 ? rate : "\(rate) from \(Format.seconds(change.seconds))"
        }.joined(separator: ", ")
    }
}
