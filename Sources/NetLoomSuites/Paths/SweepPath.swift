// Suites / Paths: the text of a sweep path (`links[wan].delay`, `workloads[0].params.sizes`,
// `nodes.gpu[0-7].kind`), split into steps that remember where they are in the text, so an error can
// point at the column of the step that is wrong.

import Foundation

/// One step of a sweep path as written.
public struct PathStep: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `.name` (or the first name): a key of a mapping.
        case key
        /// `[selector]`: an index, a link's name, a plugin's name, or a key.
        case select
    }

    public var kind: Kind
    public var text: String
    /// Whether the selector was quoted (`["net.ipv4.ip_forward"]`): then it is always a key or a name.
    public var quoted: Bool
    /// Offset of the step's first character in the path text (0-based).
    public var offset: Int

    /// The step as it is written in a path.
    public var written: String {
        switch kind {
        case .key: text
        case .select: quoted ? "[\"\(text)\"]" : "[\(text)]"
        }
    }
}

/// A syntax error in a sweep path: what, and the offset in the path text.
public struct PathSyntaxError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int
}

/// A sweep path split into steps.
public struct SweepPath: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var steps: [PathStep]

    public var description: String { text }

    /// `links[wan].delay` -> key links, select wan, key delay. Keys are any characters but
    /// `.` `[` `]` and quotes; a selector is anything up to `]`, or a quoted string.
    public init(parsing text: String) throws(PathSyntaxError) {
        self.text = text
        let characters = Array(text)
        var steps: [PathStep] = []
        var index = 0
        guard !characters.isEmpty else { throw PathSyntaxError(message: "the path is empty", offset: 0) }

        func key(from start: Int) throws(PathSyntaxError) -> PathStep {
            var end = start
            while end < characters.count, !".[]\"'".contains(characters[end]), !characters[end].isWhitespace { end += 1 }
            guard end > start else {
                let found = start < characters.count ? "`\(characters[start])`" : "the end of the path"
                throw PathSyntaxError(message: "expected a name, found \(found)", offset: start)
            }
            return PathStep(kind: .key, text: String(characters[start..<end]), quoted: false, offset: start)
        }

        steps.append(try key(from: 0))
        index = steps[0].text.count
        while index < characters.count {
            switch characters[index] {
            case ".":
                let step = try key(from: index + 1)
                steps.append(step)
                index = step.offset + step.text.count
            case "[":
                let start = index + 1
                if start < characters.count, characters[start] == "\"" || characters[start] == "'" {
                    let quote = characters[start]
                    guard let close = characters[(start + 1)...].firstIndex(of: quote) else {
                        throw PathSyntaxError(message: "the quoted selector is not closed", offset: start)
                    }
                    guard close + 1 < characters.count, characters[close + 1] == "]" else {
                        throw PathSyntaxError(message: "expected `]` after the quoted selector", offset: close + 1)
                    }
                    let inner = String(characters[(start + 1)..<close])
                    guard !inner.isEmpty else { throw PathSyntaxError(message: "the selector is empty", offset: start) }
                    steps.append(PathStep(kind: .select, text: inner, quoted: true, offset: start))
                    index = close + 2
                } else {
                    guard let close = characters[start...].firstIndex(of: "]") else {
                        throw PathSyntaxError(message: "`[` is not closed by `]`", offset: index)
                    }
                    let inner = String(characters[start..<close]).trimmingCharacters(in: .whitespaces)
                    guard !inner.isEmpty else { throw PathSyntaxError(message: "the selector is empty", offset: start) }
                    steps.append(PathStep(kind: .select, text: inner, quoted: false, offset: start))
                    index = close + 1
                }
            default:
                throw PathSyntaxError(
                    message: "unexpected `\(characters[index])`; steps are `.name` or `[selector]`", offset: index)
            }
        }
        self.steps = steps
    }
}
