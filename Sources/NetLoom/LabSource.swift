// NetLoom / Scripting: where a script's lab comes from, and the lab text it is built from (a running
// lab keeps its text: `set` resolves changes against it, as `netloom set` does).

import Foundation
import Yams

/// A lab for `withLab`: a lab file, lab text, or a lab already resolved with its text.
public enum LabSource: Sendable {
    /// A lab file; relative paths in it (`rate_trace`) are resolved against its folder.
    case file(String)
    /// Lab text as a lab file would hold it; `file` names it in errors and is the base of relative paths.
    case yaml(String, file: String = "<script>")
    /// A lab resolved already, with the text it was resolved from.
    case resolved(ResolvedLab, text: String)

    /// The resolved lab and its text, renamed to `name` when given (a lab's name prefixes its
    /// namespaces, so two labs that are up at once need different names). Throws `LabErrors`.
    func load(name: String?) throws -> (lab: ResolvedLab, text: String) {
        let (text, file): (String, String)
        switch self {
        case .file(let path):
            if name == nil { return try ResolvedLab.read(path: path) }
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw LabErrors([LabError(.syntax, at: LabLocation(file: path, line: 1, column: 1), path: "",
                                          "cannot read the lab file: \(error.localizedDescription)")])
            }
            file = path
        case .yaml(let yaml, let name):
            (text, file) = (yaml, name)
        case .resolved(let lab, let yaml):
            if name == nil || name == lab.name { return (lab, yaml) }
            (text, file) = (yaml, lab.file)
        }
        let renamed = try name.map { try Self.renamed(text, to: $0, file: file) } ?? text
        return (try ResolvedLab.parse(yaml: renamed, file: file, checkFiles: true), renamed)
    }

    /// The lab text with its top-level `name` replaced.
    static func renamed(_ text: String, to name: String, file: String) throws -> String {
        try LabText.edit(text, file: file) { root in root[Node("name")] = Node(name) }
    }
}

/// Edits of lab text through its YAML node tree (comments are not kept).
enum LabText {
    static func edit(_ text: String, file: String, _ change: (inout Node.Mapping) throws -> Void) throws -> String {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: file, line: 1, column: 1), path: "", "not YAML: \(error)")])
        }
        guard case .mapping(var root)? = composed else {
            throw LabErrors([LabError(.syntax, at: LabLocation(file: file, line: 1, column: 1), path: "", "a lab is a mapping")])
        }
        try change(&root)
        return try Yams.serialize(node: .mapping(root))
    }
}
