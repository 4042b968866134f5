// Reports: the module's front door. `netloom report FOLDER` loads a results folder, prints its digest
// (text or JSON) and writes report.html into it.
//
// Layers inside the module: Loading (the folder's files as values) -> Analysis (rates, schedules,
// markers, the digest) -> Charts (SVG) -> Render (terminal text and the HTML page).

import Foundation
import NetLoomCore

/// A results folder with what the report derives from it.
public struct ResultsReport: Sendable {
    public let folder: ResultsFolder
    /// Every link direction in links.csv.
    public let links: [LinkDirectionUsage]
    /// Every connection in tcp.csv.
    public let connections: [TCPConnection]

    public init(folder: ResultsFolder) {
        self.folder = folder
        links = LinkDirectionUsage.all(folder)
        connections = TCPConnection.all(folder.tcp)
    }

    /// Reads the folder (see `ResultsFolder.init(path:)` for the errors).
    public init(path: String) throws(ReportError) {
        self.init(folder: try ResultsFolder(path: path))
    }

    /// The run in brief; `report` is report.html's path when it was written.
    public func digest(report: String? = nil) -> ReportDigest {
        ReportDigest(folder: folder, links: links, report: report)
    }

    /// The terminal summary.
    public func text(report: String? = nil) -> String {
        TextReport.render(digest(report: report))
    }

    /// The self-contained page (inline CSS and SVG, no scripts).
    public func html(generated: Date = Date()) -> String {
        var page = HTMLReport(report: self, generated: generated)
        return page.render()
    }

    /// Writes report.html into the folder atomically (a temporary file renamed over it)
    /// and returns its path. An existing report.html that is a symlink or not a plain
    /// file is refused.
    @discardableResult
    public func writeHTML(generated: Date = Date()) throws(ReportError) -> String {
        let path = "\(folder.path)/report.html"
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw .unsafeOutput(path)
        }
        do {
            try AtomicFile.write(Data(html(generated: generated).utf8), to: path)
        } catch {
            throw .writeFailed(path, reason: "\(error)")
        }
        return path
    }
}
