/// A line of a trace or schedule file that could not be read.
public struct TraceParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number (0 for a problem of the whole file).
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// The lines of a text file with their 1-based numbers, without comments (`#` to the
/// end of the line) and blank lines, trimmed.
func meaningfulLines(_ text: String) -> [(number: Int, text: Substring)] {
    var result: [(Int, Substring)] = []
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        number += 1
        var line = raw
        if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
        let trimmed = line.trimmingWhitespace()
        if !trimmed.isEmpty { result.append((number, trimmed)) }
    }
    return result
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return s
    }
}
