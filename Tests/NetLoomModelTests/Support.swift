// Helpers shared by the lab model tests.

import Testing
@testable import NetLoomModel

/// Resolves `yaml` or fails the test with the lab errors.
func resolve(_ yaml: String, file: String = "test.yaml", sourceLocation: SourceLocation = #_sourceLocation) throws -> ResolvedLab {
    do {
        return try ResolvedLab.parse(yaml: yaml, file: file)
    } catch {
        Issue.record("unexpected lab errors:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The errors `yaml` produces (empty if it resolves).
func errors(_ yaml: String, file: String = "test.yaml") -> [LabError] {
    do {
        _ = try ResolvedLab.parse(yaml: yaml, file: file)
        return []
    } catch {
        return error.errors
    }
}

/// The one error `yaml` produces, checked for kind, line, column and a message fragment.
@discardableResult
func expectError(_ yaml: String, _ kind: LabError.Kind, line: Int, column: Int, path: String? = nil, contains fragment: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> LabError? {
    let found = errors(yaml)
    guard let error = found.first(where: { $0.message.contains(fragment) || $0.allowed.contains(fragment) }) else {
        Issue.record("no error containing \"\(fragment)\"; got:\n\(found.map(\.description).joined(separator: "\n"))", sourceLocation: sourceLocation)
        return nil
    }
    #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
    #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
    if let path { #expect(error.path == path, "\(error)", sourceLocation: sourceLocation) }
    return error
}
