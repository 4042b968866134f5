// Lab model / Parsing: turning Yams' syntax errors into located `LabError`s with a hint where we can.

import Foundation
import Yams

enum YAMLErrors {
    /// The lab error for a YAML syntax error thrown by `Yams.compose`.
    static func labError(_ error: any Error, file: String, yaml: String) -> LabError {
        var line = 1, column = 1
        var message = "\(error)"
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(let context, let problem, let mark, _),
                 .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                line = mark.line
                column = mark.column
                message = problem
                if let context { message += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            case .duplicatedKeysInMapping(let duplicates, let context):
                line = context.mark.line
                column = context.mark.column
                message = "duplicate key " + duplicates.map { "`\($0)`" }.joined(separator: ", ") + " in a mapping"
            case .reader(let problem, _, _, _):
                message = problem
            default:
                break
            }
        }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let text = line >= 1 && line <= lines.count ? String(lines[line - 1]) : ""
        var allowed = ""
        if text.contains("["), text.range(of: #"[A-Za-z0-9_-]\[[0-9]+-"#, options: .regularExpression) != nil {
            allowed = "a node range inside [ ... ] must be quoted, e.g. endpoints: [\"gpu[0-7]\", tor], or write the list one item per line"
        }
        return LabError(.syntax, at: LabLocation(file: file, line: line, column: column), path: "",
                        "not valid YAML: \(message)", allowed: allowed)
    }
}
