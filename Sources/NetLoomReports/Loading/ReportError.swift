// Reports / Loading: what can be wrong with a results folder, each case naming the file.

import Foundation

/// Why a results folder could not be read or its report written. Every case names the
/// file (relative to the folder where it is inside it) and says what to do next.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The folder does not exist or is not a directory.
    case noFolder(String)
    /// The folder has no summary.json: it is not a results folder (or a run still writing one).
    case notAResultsFolder(String)
    /// A file the results format promises is absent.
    case missing(file: String)
    /// A file is there but cannot be read (permissions, not UTF-8).
    case unreadable(file: String, reason: String)
    /// A file is there but its content is wrong; `line` is 1-based when known.
    case malformed(file: String, line: Int?, reason: String)
    /// report.html exists and is a symlink or not a plain file.
    case unsafeOutput(String)
    /// Writing report.html failed.
    case writeFailed(String, reason: String)

    public var description: String {
        switch self {
        case .noFolder(let path):
            "\(path): no such folder; give the results folder `netloom run` printed (results/<lab>-<time>)"
        case .notAResultsFolder(let path):
            "\(path) is not a results folder: it has no summary.json (a run still in progress writes "
                + "results/.<name>.partial/ and renames it when done)"
        case .missing(let file):
            "\(file) is missing from the results folder; the folder is incomplete (see docs/results.md)"
        case .unreadable(let file, let reason):
            "\(file): cannot read it: \(reason)"
        case .malformed(let file, let line, let reason):
            "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case .unsafeOutput(let path):
            "\(path) exists and is a symlink or not a plain file; refusing to write through it (remove it if it is not yours)"
        case .writeFailed(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
