// Reports / Loading: the rows of a results folder's CSV files as typed values (docs/results.md).

import Foundation

/// A row of events.csv: a phase, a workload's start or end, or a timeline event.
public struct EventRecord: Sendable, Equatable, Codable {
    /// Seconds since the lab came up.
    public var seconds: Double
    /// `phase`, `workload-start`, `workload-end`, `timeline`.
    public var kind: String
    public var detail: String
}

/// A row of links.csv: one direction of one link, counters cumulative since the lab came up.
public struct LinkSample: Sendable, Equatable {
    public var seconds: Double
    public var link: String
    /// `<sender>-><receiver>` (node names).
    public var direction: String
    public var backend: String
    public var bytes: UInt64
    public var packets: UInt64
    public var drops: UInt64
    public var overlimits: UInt64
    public var backlogBytes: UInt64
    public var queuedPackets: UInt64
}

/// A row of tcp.csv: TCP_INFO of one connection a plugin opened.
public struct TCPSample: Sendable, Equatable {
    public var seconds: Double
    public var workload: Int
    public var node: String
    /// The descriptor number: with workload and node it names the connection.
    public var socket: String
    public var rttMicroseconds: Double
    public var rttVarianceMicroseconds: Double
    /// Segments.
    public var cwnd: Double
    public var mss: Double
    public var retransmits: Double
    public var lost: Double
    public var deliveryRateBitsPerSecond: Double
    public var bytesAcked: UInt64
    public var bytesReceived: UInt64
}

/// A point of a workload's time series (series.csv).
public struct SeriesSample: Sendable, Equatable {
    public var seconds: Double
    public var series: String
    public var unit: String
    public var value: Double
}

/// A recorded distribution as a CDF (histograms/<name>.csv).
public struct HistogramCDF: Sendable, Equatable {
    /// The file's name without `.csv`.
    public var name: String
    public var unit: String
    /// In file order (increasing values).
    public var points: [CDFPoint]
}

/// A value and the fraction of samples at or below it.
public struct CDFPoint: Sendable, Equatable {
    public var value: Double
    public var fraction: Double
}

/// A table a plugin wrote (tables/<name>.csv), kept as text.
public struct ResultTable: Sendable, Equatable {
    public var name: String
    public var columns: [String]
    public var rows: [[String]]
}

// MARK: - From CSV

extension EventRecord {
    static func read(_ table: CSVTable) throws(ReportError) -> [EventRecord] {
        let c = try table.columns(["seconds", "kind", "detail"])
        var records: [EventRecord] = []
        for row in table.rows {
            records.append(EventRecord(seconds: try table.double(row, c[0]), kind: row.fields[c[1]], detail: row.fields[c[2]]))
        }
        return records
    }
}

extension LinkSample {
    static let columns = ["seconds", "link", "direction", "backend", "bytes", "packets", "drops", "overlimits", "backlog_bytes", "queued_packets"]

    static func read(_ table: CSVTable) throws(ReportError) -> [LinkSample] {
        let c = try table.columns(columns)
        var samples: [LinkSample] = []
        samples.reserveCapacity(table.rows.count)
        for row in table.rows {
            samples.append(LinkSample(
                seconds: try table.double(row, c[0]), link: row.fields[c[1]], direction: row.fields[c[2]], backend: row.fields[c[3]],
                bytes: try table.count(row, c[4]), packets: try table.count(row, c[5]), drops: try table.count(row, c[6]),
                overlimits: try table.count(row, c[7]), backlogBytes: try table.count(row, c[8]), queuedPackets: try table.count(row, c[9])))
        }
        return samples
    }
}

extension TCPSample {
    static let columns = [
        "seconds", "workload", "node", "socket", "rtt_us", "rttvar_us", "cwnd", "mss", "retransmits", "lost", "delivery_rate_bps",
        "bytes_acked", "bytes_received",
    ]

    static func read(_ table: CSVTable) throws(ReportError) -> [TCPSample] {
        let c = try table.columns(columns)
        var samples: [TCPSample] = []
        samples.reserveCapacity(table.rows.count)
        for row in table.rows {
            guard let workload = Int(row.fields[c[1]]) else {
                throw .malformed(file: table.file, line: row.line, reason: "workload: \"\(row.fields[c[1]])\" is not a workload index")
            }
            samples.append(TCPSample(
                seconds: try table.double(row, c[0]), workload: workload, node: row.fields[c[2]], socket: row.fields[c[3]],
                rttMicroseconds: try table.double(row, c[4]), rttVarianceMicroseconds: try table.double(row, c[5]),
                cwnd: try table.double(row, c[6]), mss: try table.double(row, c[7]), retransmits: try table.double(row, c[8]),
                lost: try table.double(row, c[9]), deliveryRateBitsPerSecond: try table.double(row, c[10]),
                bytesAcked: try table.count(row, c[11]), bytesReceived: try table.count(row, c[12])))
        }
        return samples
    }
}

extension SeriesSample {
    static func read(_ table: CSVTable) throws(ReportError) -> [SeriesSample] {
        let c = try table.columns(["seconds", "series", "unit", "value"])
        var samples: [SeriesSample] = []
        for row in table.rows {
            samples.append(SeriesSample(
                seconds: try table.double(row, c[0]), series: row.fields[c[1]], unit: row.fields[c[2]], value: try table.double(row, c[3])))
        }
        return samples
    }
}

extension HistogramCDF {
    static func read(_ table: CSVTable, name: String) throws(ReportError) -> HistogramCDF {
        let c = try table.columns(["value", "unit", "fraction"])
        var points: [CDFPoint] = []
        var unit = ""
        for row in table.rows {
            let fraction = try table.double(row, c[2])
            guard (0...1).contains(fraction) else {
                throw .malformed(file: table.file, line: row.line, reason: "fraction: \(fraction) is not between 0 and 1")
            }
            points.append(CDFPoint(value: try table.double(row, c[0]), fraction: fraction))
            unit = row.fields[c[1]]
        }
        return HistogramCDF(name: name, unit: unit, points: points)
    }
}
