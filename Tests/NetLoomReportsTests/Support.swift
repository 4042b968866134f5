import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import NetLoomReports

/// The real results folder committed as a fixture, and scratch copies of it.
enum Fixture {
    static let name = "report-demo-20261125T123147Z"

    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// A fresh copy of the fixture folder in a new temporary folder.
    static func copy() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-reports-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let target = "\(root)/\(name)"
        try FileManager.default.copyItem(atPath: path, toPath: target)
        return target
    }

    /// Runs `body` on a fresh copy and removes the copy afterwards.
    static func withCopy<T>(_ body: (String) throws -> T) throws -> T {
        let folder = try copy()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path) }
        return try body(folder)
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// Parses markup as XML; returns the first error, or nil when it is well-formed.
func xmlError(_ markup: String) -> String? {
    let parser = XMLParser(data: Data(markup.utf8))
    let delegate = XMLErrors()
    parser.delegate = delegate
    if parser.parse() { return nil }
    return "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? delegate.message ?? "unknown error")"
}

final class XMLErrors: NSObject, XMLParserDelegate {
    var message: String?
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { message = "\(parseError)" }
}

/// How often a string occurs.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}
