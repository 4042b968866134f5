// Suites / Runner: a suite's results folder: `suite.json` (the manifest: axes, points, runs, and a
// fingerprint of the suite and lab texts), `suite.yaml` and `lab.yaml` as given, and `runs/<point>-r<n>/`,
// one complete results folder per run. A run is done when its folder exists under its final name (the
// runner renames it when the run is over) and its summary says it ran; that is all `--resume` needs.

import Foundation
import NetLoomCore
import NetLoomModel

/// `suite.json`: what the suite is, written once when its folder is made.
public struct SuiteManifest: Codable, Sendable, Equatable {
    public struct AxisRecord: Codable, Sendable, Equatable {
        public var name: String
        /// As written in the suite file.
        public var path: String
        /// The lab field it lands on (`links[2].delay`).
        public var field: String
        /// time, rate, size, percent or number, when every value is one.
        public var kind: Quantity.Kind?
        /// The unit of the values' numbers in tables (`ms`, `Gbit/s`, `%`, ...).
        public var unit: String?
        public var values: [String]
        /// The axis group (a `zip` of axes changes together); nil in folders written before groups were kept.
        public var group: Int?
    }

    public struct RunRecord: Codable, Sendable, Equatable {
        /// 1-based.
        public var repetition: Int
        /// `runs/p01-r1`, relative to the suite folder.
        public var folder: String
        public var seed: UInt64?
    }

    public struct PointRecord: Codable, Sendable, Equatable {
        public var id: String
        public var index: Int
        /// One per axis, in axis order.
        public var values: [String]
        public var label: String
        public var runs: [RunRecord]
    }

    public var format = 1
    public var suite: String
    public var file: String
    public var lab: String
    public var labFile: String
    /// Of the suite text and the lab text: a resumed suite must be the same suite.
    public var fingerprint: String
    public var created: Date
    public var repetitions: Int
    public var order: RunOrder
    public var seed: UInt64?
    public var axes: [AxisRecord]
    public var metrics: [String]
    public var points: [PointRecord]
    /// Every run's folder (relative to the suite folder) in the order they happen.
    public var runs: [String]

    public init(suite: Suite, created: Date) {
        self.suite = suite.name
        file = suite.file
        lab = suite.base.name
        labFile = suite.labIsInline ? "(in the suite file)" : suite.labFile
        fingerprint = Self.fingerprint(suite)
        self.created = created
        repetitions = suite.repetitions
        order = suite.order
        seed = suite.seed?.base
        axes = suite.groups.enumerated().flatMap { group, axes in
            axes.axes.map { axis in
                AxisRecord(name: axis.name, path: axis.path.text, field: axis.target.canonical, kind: axis.quantityKind,
                           unit: axis.displayUnit, values: axis.values.map(\.text), group: group)
            }
        }
        metrics = suite.metrics
        let runs = suite.runs
        points = suite.points.map { point in
            PointRecord(id: point.id, index: point.index, values: point.values.map(\.text), label: point.label,
                        runs: runs.filter { $0.point.index == point.index }.sorted { $0.repetition < $1.repetition }
                            .map { RunRecord(repetition: $0.repetition, folder: "runs/\($0.folder)", seed: $0.seed) })
        }
        self.runs = runs.map { "runs/\($0.folder)" }
    }

    /// FNV-1a (64 bits, hex) of the suite text and the lab text.
    public static func fingerprint(_ suite: Suite) -> String {
        String(SeedPolicy.fnv1a(suite.text + "\u{0}" + suite.labText), radix: 16)
    }
}

/// What a run's folder says about it.
public enum RunFolderState: Sendable, Equatable {
    /// Not there (or only a partial folder from a run that was killed).
    case absent
    /// There, and the run ran to its end with this status (succeeded, workload-failed, failed).
    case finished(RunStatus)
    /// There, but the run was interrupted.
    case interrupted
}

/// `suite-run.json`, written into a run's folder after the run: which point it was, and how the
/// lab got there from the run before.
public struct SuiteRunRecord: Codable, Sendable, Equatable {
    public var point: String
    public var repetition: Int
    public var values: [String: String]
    public var seed: UInt64?
    /// built, unchanged, in-place, rebuilt.
    public var transition: String
    /// Why it was rebuilt, when it was.
    public var transitionDetail: String?
    public var transitionSeconds: Double
    /// From the end of the run before (in the same invocation) to the start of this run's workloads.
    public var overheadSeconds: Double?
    public var seconds: Double
}

/// A suite's results folder.
public struct SuiteFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var manifestPath: String { "\(path)/suite.json" }
    public func runPath(_ folder: String) -> String { "\(path)/\(folder)" }

    /// Makes `<root>/<suite>-<UTC time>/` (or `folder`) with the manifest and the texts as given.
    public static func create(suite: Suite, root: String, folder: String? = nil, started: Date = Date()) throws -> (SuiteFolder, SuiteManifest) {
        let path = folder ?? "\(root)/\(suite.name)-\(Self.stamp(started))"
        if folder == nil { try makeDirectory(root) }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SuiteError.folderExists(path)
        }
        try makeDirectory(path)
        try makeDirectory("\(path)/runs")
        let created = SuiteFolder(path: path)
        let manifest = SuiteManifest(suite: suite, created: started)
        try AtomicFile.write(Data(suite.text.utf8), to: "\(path)/suite.yaml")
        if !suite.labIsInline { try AtomicFile.write(Data(suite.labText.utf8), to: "\(path)/lab.yaml") }
        try AtomicFile.write(try Self.encoder.encode(manifest), to: created.manifestPath)
        return (created, manifest)
    }

    /// Opens a suite folder to resume `suite` in it: its manifest must match.
    public static func open(_ path: String, for suite: Suite) throws -> (SuiteFolder, SuiteManifest) {
        let folder = SuiteFolder(path: path)
        let manifest = try folder.manifest()
        guard manifest.fingerprint == SuiteManifest.fingerprint(suite) else {
            throw SuiteError.differentSuite(path)
        }
        return (folder, manifest)
    }

    /// The newest folder under `root` holding this suite (same name and fingerprint).
    public static func latest(root: String, for suite: Suite) -> String? {
        let fingerprint = SuiteManifest.fingerprint(suite)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { $0.hasPrefix("\(suite.name)-") }.sorted().reversed().map { "\(root)/\($0)" }.first { path in
            (try? SuiteFolder(path: path).manifest())?.fingerprint == fingerprint
        }
    }

    public func manifest() throws -> SuiteManifest {
        guard let data = FileManager.default.contents(atPath: manifestPath) else { throw SuiteError.notASuiteFolder(path) }
        do {
            return try Self.decoder.decode(SuiteManifest.self, from: data)
        } catch {
            throw SuiteError.malformed(manifestPath, "\(error)")
        }
    }

    /// Whether a run is done, interrupted or not there.
    public func state(of run: String) -> RunFolderState {
        guard let data = FileManager.default.contents(atPath: "\(runPath(run))/summary.json"),
              let summary = try? Self.decoder.decode(RunSummary.self, from: data)
        else { return .absent }
        return summary.status == .interrupted ? .interrupted : .finished(summary.status)
    }

    /// Before runs are (re)done: partial folders of runs that were killed are removed, and the
    /// folders of runs to redo (interrupted; failed; with `retryFailed`, workload-failed too) are
    /// moved aside as `<run>.<status>-<n>`. Returns what it did, for the user.
    public func tidy(runs: [String], retryFailed: Bool) throws -> [String] {
        var notes: [String] = []
        let fileManager = FileManager.default
        for run in runs {
            let url = URL(fileURLWithPath: runPath(run))
            let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
            var info = stat()
            if lstat(partial, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else { throw CoreError.unsafePath(partial) }
                try fileManager.removeItem(atPath: partial)
                notes.append("\(run): removed the partial folder of a run that did not finish")
            }
            let aside: String
            switch state(of: run) {
            case .absent:
                if fileManager.fileExists(atPath: url.path) {
                    aside = "incomplete"
                } else {
                    continue
                }
            case .interrupted: aside = "interrupted"
            case .finished(.failed): aside = "failed"
            case .finished(.workloadFailed) where retryFailed: aside = "workload-failed"
            case .finished: continue
            }
            var number = 1
            while fileManager.fileExists(atPath: "\(url.path).\(aside)-\(number)") { number += 1 }
            guard rename(url.path, "\(url.path).\(aside)-\(number)") == 0 else { throw CoreError.io("rename \(url.path)", errno: errno) }
            notes.append("\(run): the \(aside) run is kept as \(run).\(aside)-\(number) and will run again")
        }
        return notes
    }

    /// Writes `suite-run.json` into a finished run's folder.
    public func record(_ record: SuiteRunRecord, run: String) throws {
        try AtomicFile.write(try Self.encoder.encode(record), to: "\(runPath(run))/suite-run.json")
    }

    public func runRecord(_ run: String) -> SuiteRunRecord? {
        FileManager.default.contents(atPath: "\(runPath(run))/suite-run.json").flatMap { try? Self.decoder.decode(SuiteRunRecord.self, from: $0) }
    }

    public func summary(_ run: String) -> RunSummary? {
        FileManager.default.contents(atPath: "\(runPath(run))/summary.json").flatMap { try? Self.decoder.decode(RunSummary.self, from: $0) }
    }

    // MARK: - Support

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// mkdir, refusing an existing path that is not a plain directory.
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        guard errno == EEXIST else { throw CoreError.io("mkdir \(path)", errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw CoreError.unsafePath(path) }
    }
}

/// Why a suite folder cannot be used.
public enum SuiteError: Error, CustomStringConvertible, Equatable, Sendable {
    case folderExists(String)
    case notASuiteFolder(String)
    case differentSuite(String)
    case nothingToResume(suite: String, root: String)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .folderExists(let path):
            "\(path) already exists; resume it with --resume, or choose another folder"
        case .notASuiteFolder(let path):
            "\(path) is not a suite results folder (it has no suite.json)"
        case .differentSuite(let path):
            "\(path) holds a different version of this suite (the suite file or its lab changed since); "
                + "start a new suite folder (without --resume), or restore the files"
        case .nothingToResume(let suite, let root):
            "no folder of suite \(suite) under \(root)/ matches this suite file; run it without --resume"
        case .malformed(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
