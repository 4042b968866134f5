import Foundation
import NetLoomModel
import NetLoomPluginAPI
import Synchronization

/// Writes a run's results folder. Everything goes into `results/.<name>.partial/` and
/// the folder is renamed to `results/<lab>-<UTC time>/` when the run is over, so a
/// reader never sees half a folder; files are created exclusively and never through
/// a symlink. The layout is documented in docs/results.md.
public final class ResultsWriter: Sendable {
    public let finalPath: String
    let partialPath: String
    private let files = Mutex<[String: Int32]>([:])

    public static let linkColumns = ["seconds", "link", "direction", "backend", "bytes", "packets", "drops", "overlimits", "backlog_bytes", "queued_packets"]
    public static let tcpColumns = ["seconds", "workload", "node", "socket", "rtt_us", "rttvar_us", "cwnd", "mss", "retransmits", "lost", "delivery_rate_bps", "bytes_acked", "bytes_received"]
    public static let eventColumns = ["seconds", "kind", "detail"]

    public convenience init(root: String, lab: String, started: Date) throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = "\(lab)-\(formatter.string(from: started))"
        try Self.makeDirectory(root)
        try self.init(finalPath: "\(root)/\(name)", partialPath: "\(root)/.\(name).partial")
    }

    /// Writes exactly `folder` (as `.<name>.partial` beside it until `finish`); its
    /// parent must exist, and neither it nor the partial folder may.
    public convenience init(folder: String) throws {
        let url = URL(fileURLWithPath: folder)
        let parent = url.deletingLastPathComponent().path
        try self.init(finalPath: folder, partialPath: "\(parent)/.\(url.lastPathComponent).partial")
    }

    init(finalPath: String, partialPath: String) throws {
        self.finalPath = finalPath
        self.partialPath = partialPath
        guard !FileManager.default.fileExists(atPath: finalPath) else {
            throw CoreError.unsupported("results folder \(finalPath) already exists")
        }
        try Self.makeDirectory(partialPath)
        for folder in ["workloads"] { try Self.makeDirectory("\(partialPath)/\(folder)") }
        appendRow("links.csv", Self.linkColumns)
        appendRow("tcp.csv", Self.tcpColumns)
        appendRow("events.csv", Self.eventColumns)
    }

    /// The folder being written (a plugin's output directory lives under it).
    public func path(_ relative: String) -> String { "\(partialPath)/\(relative)" }

    public func makeDirectory(_ relative: String) throws {
        try Self.makeDirectory(path(relative))
    }

    public func writeJSON<T: Encodable>(_ value: T, to relative: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try write(try encoder.encode(value), to: relative)
    }

    public func write(_ data: Data, to relative: String) throws {
        let descriptor = open(path(relative), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CoreError.io("create \(path(relative))", errno: errno) }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count else { throw CoreError.io("write \(path(relative))", errno: errno) }
    }

    public func writeCSV(_ relative: String, columns: [String], rows: [[String]]) throws {
        let lines = ([columns] + rows).map { $0.map(Self.csvField).joined(separator: ",") }
        try write(Data((lines.joined(separator: "\n") + "\n").utf8), to: relative)
    }

    func appendLinkSample(_ row: [String]) { appendRow("links.csv", row) }
    func appendTCPSample(_ row: [String]) { appendRow("tcp.csv", row) }
    func appendEvent(seconds: Double, kind: String, detail: String) { appendRow("events.csv", [format(seconds), kind, detail]) }

    /// Appends one CSV row to a file that stays open for the run.
    func appendRow(_ relative: String, _ row: [String]) {
        let line = Data((row.map(Self.csvField).joined(separator: ",") + "\n").utf8)
        files.withLock { files in
            if files[relative] == nil {
                files[relative] = open(path(relative), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
            }
            guard let descriptor = files[relative], descriptor >= 0 else { return }
            _ = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        }
    }

    /// Closes the files and publishes the folder under its final name.
    public func finish() throws -> String {
        files.withLock { files in
            for descriptor in files.values where descriptor >= 0 { close(descriptor) }
            files.removeAll()
        }
        guard rename(partialPath, finalPath) == 0 else { throw CoreError.io("rename \(partialPath)", errno: errno) }
        return finalPath
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// mkdir, refusing an existing path that is not a plain directory (a symlink).
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        guard errno == EEXIST else { throw CoreError.io("mkdir \(path)", errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw CoreError.unsafePath(path) }
    }
}
